# man/: installed manual pages.
dist_man_MANS += man/certauthzd.8 man/certauthz.1 man/certauthz.conf.5

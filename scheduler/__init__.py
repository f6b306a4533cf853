"""The service side of newswatch: scheduled jobs, alert matching, email delivery."""

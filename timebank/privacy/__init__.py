"""Personal-data rights (PIPL): own data export, correction requests, account closure."""

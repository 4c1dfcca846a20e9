"""The console: server-rendered pages under /console for people with accounts (procurement
officers, contributors, reviewers, auditors), calling the same domain services as the API."""

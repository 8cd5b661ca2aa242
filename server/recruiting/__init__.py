"""Before the interview: jobs' plans, candidate imports, invitations, scheduling and HR-system connectors."""

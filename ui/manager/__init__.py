"""The manager's workspace: every quote, approvals, reports and the price list."""

"""cartera: a customer-relationship system for companies that sell to other companies."""

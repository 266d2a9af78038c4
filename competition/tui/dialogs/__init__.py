"""Modal dialogs: a reason, a yes/no, a form (time, status, rider), an impulse to assign."""

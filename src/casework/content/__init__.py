"""The kinds of case content, as the entry points see them: each declared once by its own router."""

"""How a message's text becomes what the user sees: Markdown into a QTextDocument, code, thinking sections."""

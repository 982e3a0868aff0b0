"""Dialogs: modal only when the person must decide before anything else happens (the save diff,
a rename that touches other entries); errors are never shown in a modal dialog."""

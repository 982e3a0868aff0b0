"""Everything in kubewallet that imports Qt: the workspace window, its pages, item models,
dialogs and the tray.

Layout (mirrors the window): `state.py` (the one `AppState` every page receives), `tasks.py`
(background work with results delivered on the GUI thread), `pages/` (one module per sidebar page;
the contract is in `pages/base.py`), `models/` (Qt item models adapting core objects),
`dialogs/`, `widgets/` (small reusable widgets: the inline banner, masked fields), `window.py`.
Core packages never import this package.
"""

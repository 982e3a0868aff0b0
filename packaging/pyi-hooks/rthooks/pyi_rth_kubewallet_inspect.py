# kubewallet's replacement for PyInstaller's `inspect` run-time hook (see ../rthooks.dat): that
# hook imports inspect and zipfile at every start (about 20 ms) to make inspect.getsourcefile()
# find modules inside the bundle's archives. Nothing in kubewallet or its dependencies asks
# inspect for source files, and tracebacks go through linecache, so the bundle does without it.

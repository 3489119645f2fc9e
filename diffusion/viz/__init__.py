"""Watch the platform model run in a browser (Mesa SolaraViz; ``python -m diffusion.viz``).

:mod:`~diffusion.viz.state`, :mod:`~diffusion.viz.layout`, :mod:`~diffusion.viz.drawing` and
:mod:`~diffusion.viz.model` need only the core dependencies; :mod:`~diffusion.viz.app` (the
page) needs the ``viz`` extra: ``pip install ".[viz]"``.
"""

"""``python -m diffusion``: run an experiment (see :mod:`diffusion.cli`)."""

from diffusion.cli import main

if __name__ == "__main__":
    main()

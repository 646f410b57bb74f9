#!/usr/bin/env python
"""Same as the `cartera` console command, for those who expect a manage.py."""

from cartera.cli import main

if __name__ == "__main__":
    main()

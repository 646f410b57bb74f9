"""The `cartera` console command: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except BrokenPipeError:
        # The reader of the output went away (`cartera export accounts | head`): stop quietly, as other
        # command-line tools do, instead of printing a traceback. Nothing is left to write, and a
        # normal exit would still try (the buffered output, the half-read query's cursor), so the
        # process ends here; a transaction left open is rolled back by the database.
        sys.stderr.flush()
        os._exit(1)


if __name__ == "__main__":
    main()

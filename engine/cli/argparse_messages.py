"""argparse's own words, marked so that extraction puts them in our catalog.

argparse translates its messages with its module's ``_``, which :func:`engine.i18n.translate_argparse`
points at our catalog. Nothing imports this module: it exists for ``pybabel extract``. The list
is the messages a user can meet from our parsers (help pages and usage errors) in the Python
versions we support; a test checks that each one argparse uses is here.
"""
from engine.i18n import N_

MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"),
)

"""argparse in French, for the teacher's commands (npm run grade, npm run hub…): its headings, its help
option and its error messages, which it says in English whatever the rest of the command says.
argparse looks its words up through gettext at run time: importing this module gives it the French ones."""
import argparse

FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et s'arrêter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "il manque : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "une valeur au plus attendue",
    "expected at least one argument": "une valeur au moins attendue",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix inconnu : %(value)r (au choix : %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r (il faut un %(type)s)",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut être %(matches)s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s : %(message)s",
    "not allowed with argument %s": "ne va pas avec %s",
    "ignored explicit argument %r": "valeur ignorée : %r",
    "one of the arguments %s is required": "il faut l'un de : %s",
}
#: The type names in « il faut un … ».
TYPE_NAMES = {"int": "nombre entier", "float": "nombre", "Path": "chemin"}


def french(text: str) -> str:
    return FRENCH.get(text, text)


def french_plural(singular: str, plural: str, count: int) -> str:
    if singular == "expected %s argument":
        return "%s valeur attendue" if count == 1 else "%s valeurs attendues"
    return french(singular if count == 1 else plural)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose type errors name the type in French."""

    def _get_value(self, action, arg_string):  # type: ignore[no-untyped-def]
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as error:
            name = getattr(action.type, "__name__", "")
            error.message = error.message.replace(f"il faut un {name})", f"il faut un {TYPE_NAMES.get(name, name)})")
            raise


argparse._ = french  # type: ignore[attr-defined]
argparse.ngettext = french_plural  # type: ignore[attr-defined]

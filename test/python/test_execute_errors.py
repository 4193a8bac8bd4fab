"""What a failed cell's note keeps of its error: the line that says what went wrong, and the line it
announces when it ends with a colon (the library's French compile messages)."""
from grader.execute import first_meaningful_line


def test_a_compile_message_keeps_the_line_it_announces() -> None:
    text = ("La réponse à la question 1.5 ne compile pas :\n  ligne 4, colonne 1 : Les expressions 'await' sont autorisées "
            "uniquement dans les fonctions asynchrones.\nCorrigez-la, puis exécutez de nouveau sa cellule.\n")
    assert first_meaningful_line(text) == ("La réponse à la question 1.5 ne compile pas : ligne 4, colonne 1 : Les expressions "
                                           "'await' sont autorisées uniquement dans les fonctions asynchrones.")


def test_an_error_line_is_found_below_a_stack_trace_and_a_lone_line_is_kept() -> None:
    assert first_meaningful_line("at <anonymous>\nRangeError: Array buffer allocation failed\n    at f (x.js:1)\n") == (
        "RangeError: Array buffer allocation failed")
    assert first_meaningful_line("Cellule arrêtée (■).\n") == "Cellule arrêtée (■)."
    assert first_meaningful_line("\n\n") == ""

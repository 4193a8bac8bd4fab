"""Caps what each cell of a graded run printed, as nbgrader's LimitOutput does: an endless print loop in
a hand-in keeps its first and last lines and a French line saying how much was cut, instead of making
the whole run's results too large to bring back (which cost every question)."""
import nbformat

#: Characters kept of one output's text (a cell's consecutive prints are one): half from its start, half from its end.
MAX_CHARACTERS = 100_000
#: Outputs kept of one cell: half of its first ones, half of its last ones.
MAX_OUTPUTS = 200
#: Bytes of one output's other forms (HTML, images) above which they are left out.
MAX_DATA_BYTES = 5 * 1024 ** 2


def cut_text(text: str, limit: int = MAX_CHARACTERS) -> tuple:
    """The text's head and tail around a line saying how many characters were cut; and that count."""
    if len(text) <= limit:
        return text, 0
    cut = len(text) - limit
    return f"{text[:limit // 2]}\n[… {thousands(cut)} caractères coupés par le correcteur …]\n{text[-(limit // 2):]}", cut


def thousands(count: int) -> str:
    """« 299 900 011 »: French thousands."""
    return f"{count:,}".replace(",", " ")


def coalesced(outputs: list) -> list:
    """Consecutive writes to the same stream as one output (as nbclient's coalesce_streams does): a print
    loop is then one text to cut, whatever way its lines came."""
    merged, pieces = [], []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            pieces[-1].append(output.get("text", ""))
        else:
            merged.append(output)
            pieces.append([output.get("text", "")] if output.get("output_type") == "stream" else [])
    for output, texts in zip(merged, pieces):
        if output.get("output_type") == "stream":
            output["text"] = "".join(texts)
    return merged


def limit_cell(cell: nbformat.NotebookNode) -> int:
    """Caps one cell's outputs in place; returns how many characters or bytes were left out."""
    outputs = cell["outputs"] = coalesced(cell.get("outputs", []))
    removed = 0
    if len(outputs) > MAX_OUTPUTS:
        half = MAX_OUTPUTS // 2
        dropped = outputs[half:-half]
        removed += sum(len(str(output)) for output in dropped)
        note = nbformat.v4.new_output("stream", name="stderr", text=f"[… {thousands(len(dropped))} sorties coupées par le correcteur …]\n")
        outputs = cell["outputs"] = [*outputs[:half], note, *outputs[-half:]]
    for output in outputs:
        if output.get("output_type") == "stream":
            output["text"], cut = cut_text(output.get("text", ""))
            removed += cut
        data = output.get("data")
        if isinstance(data, dict):
            for mime in list(data):
                value = data[mime]
                if mime == "text/plain" and isinstance(value, str):
                    data[mime], cut = cut_text(value)
                    removed += cut
                elif len(str(value)) > MAX_DATA_BYTES:
                    removed += len(str(value))
                    del data[mime]
            if not data:
                data["text/plain"] = "[sortie trop volumineuse, retirée par le correcteur]"
    return removed


def limit_outputs(notebook: nbformat.NotebookNode) -> list:
    """Caps every cell's outputs in place; returns a note per cell that was cut, naming it."""
    notes = []
    for index, cell in enumerate(notebook.cells):
        removed = limit_cell(cell)
        if removed:
            notes.append({"cell": index, "message": f"sortie trop longue : {thousands(removed)} caractères coupés (le début et la fin sont gardés)"})
    return notes

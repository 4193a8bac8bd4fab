"""A graded run's outputs capped per cell: an endless print keeps its head and tail and says how much was
cut; a cell's flood of outputs keeps its first and last; small outputs are left exactly as they were."""
import nbformat

from grader.limit_output import MAX_CHARACTERS, MAX_OUTPUTS, cut_text, limit_outputs


def notebook_with(*outputs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("console.log(…)")
    cell.outputs = list(outputs)
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1"), cell])


def test_a_short_output_is_left_as_it_is():
    notebook = notebook_with(nbformat.v4.new_output("stream", name="stdout", text="bonjour\n"))
    assert limit_outputs(notebook) == []
    assert notebook.cells[1].outputs[0].text == "bonjour\n"


def test_an_endless_print_keeps_its_head_and_tail_and_names_its_cell():
    text = "début\n" + "x" * 300_000_000 + "\nfin\n"
    notebook = notebook_with(nbformat.v4.new_output("stream", name="stdout", text=text))
    notes = limit_outputs(notebook)
    kept = notebook.cells[1].outputs[0].text
    assert kept.startswith("début\n") and kept.endswith("\nfin\n")
    assert len(kept) < MAX_CHARACTERS + 100
    assert "caractères coupés par le correcteur" in kept
    assert notes == [{"cell": 1, "message": "sortie trop longue : 299 900 011 caractères coupés (le début et la fin sont gardés)"}]


def test_a_flood_of_outputs_keeps_the_first_and_last_ones():
    outputs = [nbformat.v4.new_output("display_data", data={"text/plain": f"n°{i}"}) for i in range(5000)]
    notebook = notebook_with(*outputs)
    notes = limit_outputs(notebook)
    kept = notebook.cells[1].outputs
    assert len(kept) == MAX_OUTPUTS + 1
    assert kept[0].data["text/plain"] == "n°0" and kept[-1].data["text/plain"] == "n°4999"
    assert kept[MAX_OUTPUTS // 2].text == "[… 4 800 sorties coupées par le correcteur …]\n"
    assert notes[0]["cell"] == 1


def test_a_huge_picture_is_left_out_and_said_so():
    notebook = notebook_with(nbformat.v4.new_output("display_data", data={"image/png": "A" * 6 * 1024 ** 2}))
    limit_outputs(notebook)
    assert notebook.cells[1].outputs[0].data == {"text/plain": "[sortie trop volumineuse, retirée par le correcteur]"}


def test_cut_text_counts_what_it_cut_and_leaves_the_text_itself_alone():
    text, cut = cut_text("a,b" * 10, limit=10)
    assert cut == 20
    assert text == "a,ba,\n[… 20 caractères coupés par le correcteur …]\n,ba,b"


def test_a_print_loop_of_many_writes_is_one_text_cut_once():
    lines = [nbformat.v4.new_output("stream", name="stdout", text="x" * 100_000 + f" fin {i}\n") for i in range(3000)]
    notebook = notebook_with(nbformat.v4.new_output("stream", name="stdout", text="avant\n"), *lines,
                             nbformat.v4.new_output("display_data", data={"text/plain": "figure"}))
    limit_outputs(notebook)
    outputs = notebook.cells[1].outputs
    assert [output.output_type for output in outputs] == ["stream", "display_data"]
    assert outputs[0].text.startswith("avant\n") and outputs[0].text.endswith(" fin 2999\n")
    assert outputs[0].text.count("caractères coupés par le correcteur") == 1
    assert len(outputs[0].text) < MAX_CHARACTERS + 100

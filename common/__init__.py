"""What every room of the project shares, and nothing else: where its files are (paths), the notebooks'
conventions (conventions), the teachers' commands' help and errors in French (french_argparse), a page
printed to PDF (pdf). The grader, the sandbox, the class server and the student's session each import
from here, never from one another's insides."""

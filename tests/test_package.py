"""The top-level package: lazy public names and submodules."""

import subprocess
import sys


def test_public_names_and_submodules_resolve():
    import lstmkit

    assert lstmkit.LSTMClassifier.__name__ == "LSTMClassifier"
    assert lstmkit.errors.ShapeError.__name__ == "ShapeError"
    assert callable(lstmkit.load_model) and callable(lstmkit.data.pad_sequences)


def test_importing_lstmkit_does_not_import_torch():
    code = "import sys, lstmkit; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

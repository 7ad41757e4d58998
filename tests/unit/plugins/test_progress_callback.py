"""The progress callback prints a polled task's progress line at each try and at the end."""
from ansible_collections.alnair.alluxio.plugins.callback.progress import CallbackModule


class FakeHost:
    def get_name(self):
        return "lab-master"


class FakeResult:
    def __init__(self, result):
        self._result = result
        self._host = FakeHost()


class FakeDisplay:
    def __init__(self):
        self.lines = []

    def display(self, line, **kwargs):
        self.lines.append(line)


def test_progress_lines_at_each_retry_and_at_the_end():
    callback = CallbackModule()
    callback._display = FakeDisplay()
    callback.v2_runner_retry(FakeResult({"progress": "/d: 45.0 % in memory", "attempts": 1}))
    callback.v2_runner_on_ok(FakeResult({"progress": "/d: 100.0 % in memory"}))
    callback.v2_runner_on_ok(FakeResult({"changed": False}))
    assert callback._display.lines == ["  progress: [lab-master] /d: 45.0 % in memory",
                                       "  done: [lab-master] /d: 100.0 % in memory"]

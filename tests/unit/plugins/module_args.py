"""patch_module_args on every supported ansible-core: 2.19 ships it in ansible.module_utils.testing;
on 2.18 AnsibleModule reads its arguments from ansible.module_utils.basic._ANSIBLE_ARGS."""
import contextlib
import json

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401  # pylint: disable=unused-import
except ImportError:  # ansible-core 2.18
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """AnsibleModule() inside the block reads args as its module arguments."""
        before = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = before  # pylint: disable=protected-access


def run_module_process(name, args, check=False, diff=True):
    """Run the collection's module NAME as Ansible does (a new Python process, JSON arguments on
    standard input) and return its JSON result."""
    import os
    import subprocess
    import sys
    from ansible_collections.alnair.alluxio.plugins import modules
    modules_dir = list(modules.__path__)[0]  # a namespace package: no __file__
    module = os.path.join(modules_dir, name + ".py")
    # The directory that holds ansible_collections/ (the collection imports its module_utils from there).
    root = os.path.abspath(os.path.join(modules_dir, *[".."] * 5))
    payload = {"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check, _ansible_diff=diff)}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + sys.path))
    res = subprocess.run([sys.executable, module], input=json.dumps(payload), capture_output=True, text=True,
                         env=env, check=False)
    assert res.stdout, res.stderr
    return json.loads(res.stdout)

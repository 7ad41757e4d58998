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

"""Unit names from mount points match what systemd itself computes (`systemd-escape --path`)."""
import shutil
import subprocess

import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import fuse_unit_name, systemd_escape_path

PATHS = ["/", "/mnt/alluxio-fuse", "/mnt/ramdisk", "/mnt/ram-disk", "/mnt/café", "/mnt/日本語", "/mnt/.hidden",
         "/.dotted", "/mnt/a b", "/mnt/x.y.z", "/mnt/a\\b", "/mnt//double/", "/mnt/trailing/", "/mnt/./here",
         "/data/v1:2_3", "/mnt/~user", "/mnt/50%", "/mnt/emoji-🙂"]


def systemd_escape(*args):
    binary = shutil.which("systemd-escape")
    assert binary, "systemd-escape (Debian's systemd package) is needed by this test"
    return subprocess.run([binary, *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("path", PATHS)
def test_escape_matches_systemd_escape(path):
    assert systemd_escape_path(path) == systemd_escape("--path", path)


@pytest.mark.parametrize("path", ["/mnt/alluxio-fuse", "/mnt/café", "/mnt/.hidden"])
def test_fuse_unit_name_matches_systemd_escape_template(path):
    assert fuse_unit_name(path) == systemd_escape("--path", "--template=alluxio-fuse@.service", path)

"""Issue 16, network confinement: Alluxio's servers listen on the cluster address, and the
collection's firewall admits their ports only from the inventory's hosts (and the controller, the
lab's client network). A fourth lab host, up but outside the inventory, is the outsider: it cannot
reach the master's RPC and web ports nor a worker's data port, and SSH still works from it.
alluxio_firewall: false opens them again; site.yml closes them again."""
import pytest

from labkit import ADDRESS, HEALTH, SITE, inventory_without, lab_up, main_pid, master_info, on, playbook, reaches, wait_for

OUTSIDER = "lab-worker3"
MASTER, WORKER = ADDRESS["lab-master"], ADDRESS["lab-worker1"]
# The master's RPC, web and job master ports; the worker's RPC (data) and web ports; the metrics
# ports (job master and job worker web, the FUSE mount's web server).
GUARDED = [(MASTER, 19998), (MASTER, 19999), (MASTER, 20001), (MASTER, 20002), (WORKER, 29999), (WORKER, 30000),
           (WORKER, 30003), (WORKER, 49999), (MASTER, 9100), (WORKER, 9100)]


@pytest.fixture(scope="module")
def three_hosts(cluster, tmp_path_factory):
    """The session's cluster, and a fourth host up beside it that the inventory leaves out."""
    lab_up(hosts=4)
    return inventory_without(tmp_path_factory.mktemp("inventory"), OUTSIDER)


def listeners(name, port):
    """The local addresses a port listens on, on a lab host."""
    out = on(name, f"ss -Hltn 'sport = :{port}'").stdout
    return sorted(line.split()[3].rsplit(":", 1)[0] for line in out.splitlines() if line.strip())


def test_servers_listen_on_the_cluster_address(cluster):
    assert listeners("lab-master", 19998) == [MASTER]
    assert listeners("lab-master", 19999) == [MASTER]
    assert listeners("lab-worker1", 29999) == [WORKER]


def test_only_the_cluster_reaches_alluxio(three_hosts):
    assert [(a, p) for a, p in GUARDED if reaches(OUTSIDER, a, p)] == []
    assert [(a, p) for a, p in GUARDED if not reaches("lab-worker2", a, p)] == []
    # SSH is never the firewall's; the controller is a client network of the lab.
    assert reaches(OUTSIDER, MASTER, 22) and reaches(OUTSIDER, WORKER, 22)
    assert master_info()["version"]
    res = playbook(HEALTH, inventory=three_hosts)
    assert "firewall inet alnair_alluxio" in res.stdout


def test_firewall_off_opens_the_ports_and_site_closes_them_again(three_hosts):
    before = main_pid("lab-master", "alluxio-master.service")
    playbook(SITE, "-e", '{"alluxio_firewall": false}', inventory=three_hosts)
    assert all(reaches(OUTSIDER, a, p) for a, p in GUARDED)
    assert on("lab-master", "nft list table inet alnair_alluxio").returncode != 0
    assert on("lab-master", "test -e /etc/systemd/system/alnair-alluxio-firewall.service").returncode != 0
    # health names the open ports' cause when the firewall is expected
    res = playbook(HEALTH, check=False, inventory=three_hosts)
    assert res.returncode != 0 and "firewall inet alnair_alluxio" in res.stdout and "not loaded" in res.stdout
    playbook(SITE, inventory=three_hosts)
    assert [(a, p) for a, p in GUARDED if reaches(OUTSIDER, a, p)] == []
    assert on("lab-master", "systemctl is-enabled alnair-alluxio-firewall.service").stdout.strip() == "enabled"
    again = playbook(SITE, inventory=three_hosts)
    assert all(c["changed"] == 0 for c in again.recap.values()), again.recap
    assert main_pid("lab-master", "alluxio-master.service") == before  # the firewall restarts nothing


def test_a_server_does_not_start_without_its_firewall_table(cluster):
    """With the firewall on, a server whose table is not loaded (a failed load at boot) stays down
    rather than open to everyone, and comes up by itself once the table is back."""
    name, unit = "lab-worker2", "alluxio-job-worker"
    assert on(name, "nft delete table inet alnair_alluxio").returncode == 0
    try:
        assert on(name, f"systemctl restart {unit}").returncode != 0
        assert on(name, f"systemctl is-active {unit}").stdout.strip() != "active"
        assert "list table inet alnair_alluxio" in on(name, f"journalctl -u {unit} -n 20 --no-pager").stdout
    finally:
        on(name, "systemctl restart alnair-alluxio-firewall")
    assert wait_for(lambda: on(name, f"systemctl is-active {unit}").stdout.strip() == "active", 60, interval=1)

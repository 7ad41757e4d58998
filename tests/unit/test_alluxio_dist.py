"""Unit tests for tools/alluxio_dist.py (no Maven, no network)."""
import tarfile
import zipfile

import pytest

import alluxio_dist as dist


def test_pom_lists_every_module():
    pom = dist.pom_for("2.9.6")
    for module in dist.MODULES:
        assert f"<artifactId>{module}</artifactId><version>2.9.6</version>" in pom


@pytest.mark.parametrize("output,artifact", [
    ("[ERROR] Failed to execute goal on project alluxio-dist: Could not resolve dependencies for project "
     "alnair.alluxio:alluxio-dist:pom:2.9.99: Could not find artifact org.alluxio:alluxio-shell:jar:2.9.99 in central",
     "org.alluxio:alluxio-shell:jar:2.9.99"),
    ("[ERROR] Failure to find org.alluxio:alluxio-core-common:jar:2.9.7 in https://repo.example was cached",
     "org.alluxio:alluxio-core-common:jar:2.9.7"),
    ("Could not resolve dependencies for project a:b:pom:1: The following artifacts could not be resolved: "
     "org.alluxio:alluxio-core-server-master:jar:2.9.99, org.alluxio:alluxio-shell:jar:2.9.99: "
     "org.alluxio:alluxio-core-server-master:jar:2.9.99 was not found in https://repo.example during a previous attempt",
     "org.alluxio:alluxio-core-server-master:jar:2.9.99"),
    ("something else entirely", None),
])
def test_missing_artifact_is_named(output, artifact):
    assert dist.missing_artifact(output) == artifact


@pytest.mark.parametrize("version", ["3.0.0", "2.9", "latest", "2.9.6;rm -rf /", ""])
def test_bad_versions_are_refused(tmp_path, version):
    with pytest.raises(dist.DistError, match="not an Alluxio 2.x release"):
        dist.build(version, tmp_path)
    assert list(tmp_path.iterdir()) == []


def read_manifest(path):
    with zipfile.ZipFile(path) as zf:
        raw = zf.read("META-INF/MANIFEST.MF")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 72 for line in lines)
    # Unfold continuation lines the way java.util.jar.Manifest does.
    text = b""
    for line in lines:
        text = text + line[1:] if line.startswith(b" ") else text + b"\n" + line
    return dict(l.split(": ", 1) for l in text.decode().split("\n") if ": " in l)


def test_manifest_jar_class_path_is_wrapped_and_complete(tmp_path):
    names = [f"jars/some-rather-long-dependency-name-{i}-1.2.3.jar" for i in range(300)]
    jar = tmp_path / "x.jar"
    dist.manifest_jar(jar, names)
    assert read_manifest(jar)["Class-Path"].split(" ") == names


def test_layout_matches_the_official_tarball(tmp_path):
    jars = []
    for name in ("alluxio-core-common-2.9.6.jar", "alluxio-underfs-local-2.9.6.jar", "guava-31.jar"):
        path = tmp_path / name
        path.write_bytes(b"PK")
        jars.append(path)
    top = tmp_path / "out" / "alluxio-2.9.6"
    dist.lay_out("2.9.6", jars, top)
    for rel in ("assembly/alluxio-server-2.9.6.jar", "assembly/alluxio-client-2.9.6.jar",
                "client/alluxio-2.9.6-client.jar", "integration/fuse/alluxio-fuse-2.9.6.jar",
                "lib/alluxio-underfs-local-2.9.6.jar", "conf/log4j.properties", "conf/masters",
                "conf/workers", "conf/alluxio-site.properties.template", "bin/alluxio"):
        assert (top / rel).exists(), rel
    # UFS extensions live in lib/, not on the server class path.
    class_path = read_manifest(top / "assembly/alluxio-server-2.9.6.jar")["Class-Path"]
    assert "jars/guava-31.jar" in class_path and "underfs" not in class_path
    fuse_cp = read_manifest(top / "integration/fuse/alluxio-fuse-2.9.6.jar")["Class-Path"]
    assert fuse_cp.startswith("../../assembly/jars/")
    log4j = (top / "conf/log4j.properties").read_text()
    for logger in dist.LOGGERS:
        assert f"log4j.appender.{logger}=" in log4j
    assert "alluxio.web.ui.enabled=false" in (top / "conf/alluxio-site.properties.template").read_text()

    target = tmp_path / "a.tar.gz"
    dist.pack(top, target)
    with tarfile.open(target) as tar:
        members = tar.getmembers()
    assert all(m.name.startswith("alluxio-2.9.6") for m in members)
    assert {m.uid for m in members} == {0}

#!/usr/bin/env python3
"""Build an Alluxio 2.x binary tarball from the jars published on Maven Central.

The official `alluxio-<v>-bin.tar.gz` comes from a download site that is not
always reachable (an air-gapped site, or this project's CI). Maven Central
serves every server, client, UFS and FUSE jar, so this tool resolves them with
Maven and packs a tarball with the official layout, which the roles install
exactly like the official one:

    alluxio-<v>/assembly/alluxio-server-<v>.jar    class path entry of the servers
    alluxio-<v>/assembly/alluxio-client-<v>.jar    class path entry of clients
    alluxio-<v>/client/alluxio-<v>-client.jar
    alluxio-<v>/integration/fuse/alluxio-fuse-<v>.jar
    alluxio-<v>/lib/alluxio-underfs-*-<v>.jar      UFS extensions
    alluxio-<v>/conf/                              templates, log4j.properties
    alluxio-<v>/bin/alluxio                        fs, fsadmin, runTests, version

Official jars are shaded; here the four class path jars are manifest-only jars
whose Class-Path names the resolved dependencies in assembly/jars/, so the same
`java -cp conf/:assembly/alluxio-server-<v>.jar MainClass` works for both.
The web UI is not published to Maven: such a build needs
alluxio.web.ui.enabled=false (conf/alluxio-dist.properties says so).

The tarball is written under a temporary name and renamed when complete; a
failed resolution names the missing artifact and leaves nothing behind.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

CACHE_DIR = Path(os.environ.get("ALNAIR_CACHE", "/var/cache/alnair-alluxio"))
BUILDER_VERSION = 3
GROUP = "org.alluxio"
MODULES = [
    "alluxio-core-server-master", "alluxio-core-server-worker", "alluxio-core-server-proxy",
    "alluxio-job-server", "alluxio-shell", "alluxio-underfs-local", "alluxio-integration-fuse",
    "alluxio-integration-jnifuse-native",
]
UFS_PREFIX = "alluxio-underfs-"
# Second SLF4J binding (log4j2). Alluxio 2.x logs through log4j 1 (reload4j) and
# conf/log4j.properties, as the official tarball does.
EXCLUDED = ("log4j-slf4j-impl-",)
VERSION_RE = re.compile(r"^2\.\d+\.\d+$")

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>alnair.alluxio</groupId>
  <artifactId>alluxio-dist</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
{dependencies}
  </dependencies>
</project>
"""

LOG4J = """# log4j 1.x configuration for Alluxio {version} (written by alnair.alluxio's distribution builder).
# Each process picks its appender with -Dalluxio.logger.type=<ROLE>_LOGGER and
# writes ${{alluxio.logs.dir}}/<role>.log; clients log to the console.
log4j.rootLogger=INFO, ${{alluxio.logger.type}}
log4j.threshold=ALL
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.org.apache.ratis=WARN
log4j.logger.io.netty=WARN
log4j.logger.org.eclipse.jetty=WARN

log4j.appender.Console=org.apache.log4j.ConsoleAppender
log4j.appender.Console.Target=System.err
log4j.appender.Console.layout=org.apache.log4j.PatternLayout
log4j.appender.Console.layout.ConversionPattern=%d{{ISO8601}} %-5p %c{{1}} - %m%n
log4j.appender.USER_LOGGER=org.apache.log4j.ConsoleAppender
log4j.appender.USER_LOGGER.Target=System.err
log4j.appender.USER_LOGGER.Threshold=WARN
log4j.appender.USER_LOGGER.layout=org.apache.log4j.PatternLayout
log4j.appender.USER_LOGGER.layout.ConversionPattern=%d{{ISO8601}} %-5p %c{{1}} - %m%n
{appenders}"""

APPENDER = """
log4j.appender.{name}=org.apache.log4j.RollingFileAppender
log4j.appender.{name}.File=${{alluxio.logs.dir}}/{file}.log
log4j.appender.{name}.MaxFileSize=10MB
log4j.appender.{name}.MaxBackupIndex=20
log4j.appender.{name}.layout=org.apache.log4j.PatternLayout
log4j.appender.{name}.layout.ConversionPattern=%d{{ISO8601}} %-5p [%t] %c{{1}} - %m%n
"""
LOGGERS = {"MASTER_LOGGER": "master", "JOB_MASTER_LOGGER": "job_master", "WORKER_LOGGER": "worker",
           "JOB_WORKER_LOGGER": "job_worker", "PROXY_LOGGER": "proxy", "FUSE_LOGGER": "fuse"}

BIN_ALLUXIO = """#!/bin/sh
# Minimal `alluxio` command of a Maven-built distribution: fs, fsadmin, runTests, version, runClass.
# (The official tarball's bin/ scripts are not published to Maven.)
set -e
home=$(cd "$(dirname "$0")/.." && pwd)
conf=${{ALLUXIO_CONF_DIR:-$home/conf}}
java=${{JAVA_HOME:+$JAVA_HOME/bin/}}java
cmd=${{1:-}}
[ $# -gt 0 ] && shift
cp="$conf/:$home/assembly/alluxio-client-{version}.jar"
case "$cmd" in
  fs) main=alluxio.cli.fs.FileSystemShell ;;
  fsadmin) main=alluxio.cli.fsadmin.FileSystemAdminShell ;;
  runTests) main=alluxio.cli.TestRunner ;;
  version) main=alluxio.cli.Version ;;
  # A class of the distribution's jars (the stress benchmarks: alluxio.stress.cli...).
  runClass) main=${{1:?usage: alluxio runClass CLASS [args]}}; shift; cp="$cp:$home/assembly/jars/*" ;;
  *) echo "usage: alluxio fs|fsadmin|runTests|version|runClass [args]" >&2; exit 2 ;;
esac
exec "$java" -cp "$cp" \\
  -Dalluxio.home="$home" -Dalluxio.conf.dir="$conf" -Dalluxio.logs.dir="$home/logs" \\
  -Dalluxio.logger.type=USER_LOGGER -Dlog4j.configuration="file:$conf/log4j.properties" \\
  ${{ALLUXIO_USER_JAVA_OPTS:-}} "$main" "$@"
"""

SITE_TEMPLATE = """# alluxio-site.properties template. Copy to alluxio-site.properties and edit.
# This distribution was built from Maven Central jars and has no web UI:
alluxio.web.ui.enabled=false
# alluxio.master.hostname=localhost
# alluxio.master.mount.table.root.ufs=${{alluxio.work.dir}}/underFSStorage
"""


class DistError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[dist] {msg}", flush=True)


def tarball_name(version: str) -> str:
    return f"alluxio-{version}-bin.tar.gz"


def recipe_key(version: str) -> str:
    recipe = {"builder": BUILDER_VERSION, "version": version, "modules": MODULES, "excluded": EXCLUDED}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def pom_for(version: str) -> str:
    deps = "\n".join(
        f"    <dependency><groupId>{GROUP}</groupId><artifactId>{m}</artifactId><version>{version}</version></dependency>"
        for m in MODULES)
    return POM.format(version=version, dependencies=deps)


def missing_artifact(output: str) -> str | None:
    """The artifact Maven could not resolve, from its error output."""
    coordinates = r"([\w.-]+:[\w.-]+:[\w.-]+:[\w.-]+)"
    for pattern in (r"Could not find artifact (\S+)", r"Failure to find (\S+)", coordinates + r" was not found",
                    r"The following artifacts could not be resolved: " + coordinates,
                    r"Could not transfer artifact (\S+)", r"Could not resolve dependencies for project \S+: (.+?)(?: in |$)"):
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match.group(1).rstrip(":")
    return None


def resolve(version: str, jars_dir: Path, work: Path, maven_repo: Path | None = None) -> list[Path]:
    (work / "pom.xml").write_text(pom_for(version))
    cmd = ["mvn", "-B", "-q", "-f", str(work / "pom.xml"), "dependency:copy-dependencies",
           f"-DoutputDirectory={jars_dir}", "-DincludeScope=runtime"]
    if maven_repo:
        cmd.append(f"-Dmaven.repo.local={maven_repo}")
    log(f"resolving {len(MODULES)} Alluxio {version} modules and their dependencies with Maven")
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        output = res.stdout + res.stderr
        artifact = missing_artifact(output) or "(see Maven's output below)"
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise DistError(f"Maven could not resolve {artifact}\n{tail}")
    jars = sorted(jars_dir.glob("*.jar"))
    for jar in jars:
        if jar.name.startswith(EXCLUDED):
            jar.unlink()
    return sorted(jars_dir.glob("*.jar"))


def manifest_jar(path: Path, class_path: list[str]) -> None:
    """A jar holding only a manifest whose Class-Path lists the given relative jars."""
    line = "Class-Path: " + " ".join(class_path)
    # Manifest lines are at most 72 bytes; continuation lines start with one space.
    raw = line.encode()
    chunks = [raw[:72]] + [b" " + raw[i:i + 71] for i in range(72, len(raw), 71)]
    manifest = b"Manifest-Version: 1.0\r\nCreated-By: alnair.alluxio\r\n" + b"\r\n".join(chunks) + b"\r\n\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(2024, 7, 2, 0, 0, 0))
        zf.writestr(info, manifest)


def lay_out(version: str, jars: list[Path], top: Path) -> None:
    assembly = top / "assembly"
    (assembly / "jars").mkdir(parents=True)
    (top / "lib").mkdir()
    names = []
    for jar in jars:
        if jar.name.startswith(UFS_PREFIX):
            shutil.copy2(jar, top / "lib" / jar.name)
        else:
            shutil.copy2(jar, assembly / "jars" / jar.name)
            names.append(jar.name)
    manifest_jar(assembly / f"alluxio-server-{version}.jar", [f"jars/{n}" for n in names])
    manifest_jar(assembly / f"alluxio-client-{version}.jar", [f"jars/{n}" for n in names])
    manifest_jar(top / "client" / f"alluxio-{version}-client.jar", [f"../assembly/jars/{n}" for n in names])
    manifest_jar(top / "integration/fuse" / f"alluxio-fuse-{version}.jar",
                 [f"../../assembly/jars/{n}" for n in names])
    conf = top / "conf"
    conf.mkdir()
    appenders = "".join(APPENDER.format(name=k, file=v) for k, v in LOGGERS.items())
    (conf / "log4j.properties").write_text(LOG4J.format(version=version, appenders=appenders))
    (conf / "alluxio-site.properties.template").write_text(SITE_TEMPLATE.format())
    (conf / "alluxio-env.sh.template").write_text("# Environment for Alluxio processes.\n# ALLUXIO_JAVA_OPTS=\n")
    (conf / "masters").write_text("localhost\n")
    (conf / "workers").write_text("localhost\n")
    (conf / "alluxio-dist.properties").write_text(
        f"# Built by alnair.alluxio from Maven Central jars.\nversion={version}\nweb.ui=false\n")
    (top / "logs").mkdir()
    (top / "bin").mkdir()
    script = top / "bin" / "alluxio"
    script.write_text(BIN_ALLUXIO.format(version=version))
    script.chmod(0o755)


def pack(top: Path, target: Path) -> None:
    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(target, "w:gz", compresslevel=1) as tar:
        tar.add(top, arcname=top.name, filter=normalise)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(version: str, out_dir: Path, force: bool = False, maven_repo: Path | None = None) -> Path:
    if not VERSION_RE.match(version):
        raise DistError(f"version {version!r} is not an Alluxio 2.x release like 2.9.6")
    if shutil.which("mvn") is None:
        raise DistError("mvn is not installed (run tools/bootstrap.sh)")
    target = out_dir / tarball_name(version)
    stamp = out_dir / (tarball_name(version) + ".recipe")
    key = recipe_key(version)
    if not force and target.exists() and stamp.exists() and stamp.read_text().strip() == key:
        log(f"up to date: {target}")
        return target
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dist-", dir=out_dir) as tmp:
        work = Path(tmp)
        jars = resolve(version, work / "jars", work, maven_repo)
        top = work / f"alluxio-{version}"
        lay_out(version, jars, top)
        partial = work / (tarball_name(version) + ".partial")
        pack(top, partial)
        digest = sha256_of(partial)
        os.replace(partial, target)
    (out_dir / (tarball_name(version) + ".sha256")).write_text(f"{digest}  {target.name}\n")
    stamp.write_text(key + "\n")
    log(f"built {target} ({target.stat().st_size / 2**20:.0f} MiB, {len(jars)} jars) "
        f"in {time.monotonic() - started:.0f} s; sha256 {digest}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build alluxio-<version>-bin.tar.gz from Maven Central.")
    parser.add_argument("--version", default=os.environ.get("ALLUXIO_VERSION", "2.9.6"))
    parser.add_argument("--output-dir", type=Path, default=CACHE_DIR / "dist")
    parser.add_argument("--force", action="store_true", help="rebuild even when the cached tarball is current")
    parser.add_argument("--maven-repo", type=Path, help="Maven local repository (default: Maven's own, ~/.m2)")
    args = parser.parse_args(argv)
    try:
        print(build(args.version, args.output_dir, args.force, args.maven_repo))
    except DistError as exc:
        print(f"dist: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

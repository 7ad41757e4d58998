#!/usr/bin/env bash
# BENCHMARKS.md "Monitoring": on a lab from tools/deploy.sh, Prometheus' CPU (utime+stime of its
# MainPID over 120 s) and RSS on lab-master, the same for its node exporter, the bytes of one scrape of each kind of process
# (median of 3) and Prometheus' own scrape_samples_scraped; then, with `alerts`, the time from a
# killed worker JVM to AlluxioWorkerDown pending and firing, 3 times (each repaired by remediate.yml).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
on() { python3 -c "import sys;sys.path.insert(0,'$repo/tools');import labnet,subprocess;sys.exit(subprocess.run(labnet.ssh_command(labnet.address(sys.argv[1]),sys.argv[2])).returncode)" "$@"; }
on lab-master 'p=$(systemctl show -p MainPID --value prometheus); n=$(systemctl show -p MainPID --value prometheus-node-exporter); t0=$(awk "{print \$14+\$15}" /proc/$p/stat); n0=$(awk "{print \$14+\$15}" /proc/$n/stat); sleep 120; t1=$(awk "{print \$14+\$15}" /proc/$p/stat); n1=$(awk "{print \$14+\$15}" /proc/$n/stat); echo "prometheus cpu: $(( t1-t0 )) ticks in 120 s (CLK_TCK $(getconf CLK_TCK))"; grep VmRSS /proc/$p/status; echo "node exporter cpu: $(( n1-n0 )) ticks in 120 s"; grep VmRSS /proc/$n/status'
for t in 198.51.100.11:19999 198.51.100.11:20002 198.51.100.12:30000 198.51.100.12:30003 198.51.100.12:49999 198.51.100.12:9100; do
  path=/metrics/prometheus/; [ "${t##*:}" = 9100 ] && path=/metrics
  echo "$t median bytes per scrape: $(for i in 1 2 3; do curl -s -m5 "http://$t$path" | wc -c; done | sort -n | sed -n 2p)"
done
curl -s -G http://198.51.100.11:9090/api/v1/query --data-urlencode 'query=scrape_samples_scraped' \
  | python3 -c "import json,sys; [print(r['metric']['job'], r['metric']['instance'], r['value'][1]) for r in json.load(sys.stdin)['data']['result']]"
if [ "${1:-}" = alerts ]; then
  cd "$repo" && .venv/bin/python - <<'PY'
import sys
sys.path[:0] = ["tests/integration", "tools", ".collections"]
import test_monitoring
for _ in range(3):
    test_monitoring.test_a_killed_worker_fires_its_alert_and_remediate_clears_it(None)  # prints its figures
PY
fi

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: prometheus_query
short_description: Read the current value of several PromQL queries from a Prometheus server
version_added: "0.1.0"
description:
  - Runs each query of I(queries) as an instant query (C(GET /api/v1/query)) against the Prometheus
    server at I(url) and returns every series with its labels and value.
  - status.yml uses it to print the dashboard's figures (the panels of
    C(plugins/module_utils/alluxio_monitoring.py)) in the terminal.
  - Changes nothing. A query Prometheus refuses is reported in C(errors), not as a failure, unless
    the server itself cannot be reached.
author:
  - alnair platform team (@alnair)
options:
  url:
    description: The Prometheus server's base URL, such as C(http://198.51.100.11:9090).
    type: str
    required: true
  queries:
    description: Name (a panel's title) to PromQL expression.
    type: dict
    required: true
  timeout:
    description: Seconds one HTTP request may take.
    type: int
    default: 10
attributes:
  check_mode:
    description: Reads only, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Reads only, so there is never a diff.
    support: none
notes:
  - Runs on the host it is given; point I(url) at an address that host can reach.
"""

EXAMPLES = r"""
- name: Read the cluster's capacity and the workers' use from Prometheus
  alnair.alluxio.prometheus_query:
    url: http://198.51.100.11:9090
    queries:
      Cluster capacity: Cluster_CapacityTotal
      Worker capacity used: Worker_CapacityUsed
  register: figures
"""

RETURN = r"""
series:
  description: Name to the series the query returned (an empty list when it returned none).
  returned: always
  type: dict
  sample: {"Cluster capacity": [{labels: {instance: lab-master, job: alluxio_master}, value: 1073741824.0}]}
errors:
  description: Name to the error Prometheus gave for a query it refused.
  returned: always
  type: dict
  sample: {"Broken": "bad_data: 1:4: parse error: unexpected end of input"}
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import open_url


def instant_samples(body):
    """The series of an instant query's answer: [{labels, value}], value a float (NaN kept)."""
    data = body.get("data") or {}
    result = data.get("result") or []
    if data.get("resultType") == "scalar":
        return [{"labels": {}, "value": float(result[1])}]
    return [{"labels": dict(r.get("metric") or {}), "value": float(r["value"][1])} for r in result]


def query(url, expr, timeout):
    """(samples, None) or (None, Prometheus' error) for one instant query. Raises OSError and
    ValueError when the server cannot be reached or does not answer as Prometheus."""
    try:
        response = open_url("%s/api/v1/query?%s" % (url.rstrip("/"), urlencode({"query": expr})), timeout=timeout,
                            validate_certs=False)
        body = json.loads(response.read())
    except HTTPError as exc:
        # Prometheus answers 400/422 with its own JSON error for a query it refuses.
        try:
            body = json.loads(exc.read())
        except ValueError:
            raise exc
    if body.get("status") != "success":
        return None, "%s: %s" % (body.get("errorType", "error"), body.get("error", "no reason given"))
    return instant_samples(body), None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            queries=dict(type="dict", required=True),
            timeout=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    results, errors = {}, {}
    for name, expr in sorted(module.params["queries"].items()):
        try:
            samples, error = query(module.params["url"], str(expr), module.params["timeout"])
        except (OSError, ValueError) as exc:
            module.fail_json(msg="Prometheus at %s did not answer the query %r: %s" % (module.params["url"], name, exc))
        if error:
            errors[name] = error
        else:
            results[name] = samples
    module.exit_json(changed=False, series=results, errors=errors)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Documentation the alnair.alluxio modules share."""

    # Modules that run Alluxio's own command line (bin/alluxio) on the host.
    SHELL = r"""
options:
  alluxio_home:
    description: The Alluxio installation whose C(bin/alluxio) is run.
    type: path
    default: /opt/alluxio/current
  user:
    description: The user C(bin/alluxio) runs as (Alluxio's superuser is the master's user, not root).
    type: str
    default: alluxio
"""

    # Modules that ask the master's REST API.
    MASTER_URL = r"""
options:
  master_url:
    description:
      - The master's web address (its REST API), for example C(http://alluxio-master:19999); for a quorum
        of masters every master's, comma-separated (C(http://m1:19999,http://m2:19999,http://m3:19999)), and the
        module asks the one that leads.
      - When omitted, the master the host's own Alluxio configuration names (C(alluxio.master.hostname), or every
        host of C(alluxio.master.rpc.addresses), and C(alluxio.master.web.port) of
        C(/opt/alluxio/current/conf/alluxio-site.properties), or of I(alluxio_home) where the module has it);
        C(http://localhost:19999) on a host without that file.
    type: str
"""

    # Modules that only read.
    READ_ONLY = r"""
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Reads only, so there is never a diff.
    support: none
"""

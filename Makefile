# The two commands a new user needs (as root): `make deploy` and `make test`.
.PHONY: deploy test setup dist lab-up lab-down lab-status unit lint

deploy:            ## set up, bring the local lab up and deploy Alluxio on it
	tools/deploy.sh

test:              ## everything CI runs: unit, lint and lab integration tests
	tools/test.sh

setup:             ## Debian packages, the Python venv, the collection path
	tools/bootstrap.sh

dist:              ## build alluxio-2.9.6-bin.tar.gz from Maven Central (cached)
	python3 tools/alluxio_dist.py

lab-up:
	python3 tools/lab.py up

lab-down:
	python3 tools/lab.py down

lab-status:
	python3 tools/lab.py status

unit:
	tools/test.sh tests/unit

lint:
	tools/test.sh tests/lint

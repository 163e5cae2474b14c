"""Worker "hosts" for the multi-host drill: network namespaces joined to this machine by veth
pairs, a Redis listening on the host side of the pairs, and the test database reached over
TCP (socat forwards to its socket). Nothing is reachable from outside the machine."""

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from entities.tests.worker import CELERY, ROOT, wait_for


class Unavailable(Exception):
    """What the machine lacks for the drill (the test skips, saying so)."""


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)
    return result.stdout


def check_tools() -> None:
    if os.geteuid() != 0:
        raise Unavailable("network namespaces need root (ip netns add)")
    for tool in ("ip", "ss", "socat", "redis-server"):
        if shutil.which(tool) is None:
            raise Unavailable(f"`{tool}` is not installed")


def free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


@dataclass
class Host:
    """One namespace: `address` is its own end of the pair, `gateway` this machine's end."""

    namespace: str
    veth: str  # this machine's end; its peer lives in the namespace
    address: str
    gateway: str


@dataclass
class Network:
    """Namespaces on a private /30 each (10.213.<n>.0/24 split in four), torn down by remove()."""

    hosts: list[Host] = field(default_factory=list)

    @classmethod
    def create(cls, names: list[str]) -> "Network":
        tag = os.getpid() % 100_000
        taken = run("ip", "-4", "-o", "addr", "show")
        third = next(n for n in random.sample(range(256), 256) if f" 10.213.{n}." not in taken)
        network = cls()
        try:
            for i, name in enumerate(names):
                host = Host(
                    namespace=f"nrdrill-{tag}-{name}",
                    veth=f"nrd{tag}{name}",
                    address=f"10.213.{third}.{4 * i + 2}",
                    gateway=f"10.213.{third}.{4 * i + 1}",
                )
                network.hosts.append(host)
                try:
                    run("ip", "netns", "add", host.namespace)
                except subprocess.CalledProcessError as exc:
                    raise Unavailable(f"`ip netns add` failed: {exc.stderr.strip()}") from exc
                peer = f"{host.veth}p"
                run("ip", "link", "add", host.veth, "type", "veth", "peer", "name", peer)
                run("ip", "link", "set", peer, "netns", host.namespace)
                run("ip", "addr", "add", f"{host.gateway}/30", "dev", host.veth)
                run("ip", "link", "set", host.veth, "up")
                inside = ("ip", "netns", "exec", host.namespace)
                run(*inside, "ip", "addr", "add", f"{host.address}/30", "dev", peer)
                run(*inside, "ip", "link", "set", peer, "up")
                run(*inside, "ip", "link", "set", "lo", "up")
        except BaseException:
            network.remove()
            raise
        return network

    def remove(self) -> None:
        for host in self.hosts:
            # Deleting the namespace deletes the peer, and the pair with it; the link is
            # deleted by name as well in case the namespace never got its end.
            subprocess.run(["ip", "netns", "delete", host.namespace], capture_output=True, check=False)
            subprocess.run(["ip", "link", "delete", host.veth], capture_output=True, check=False)

    def namespaces(self) -> set[str]:
        return {line.split()[0] for line in run("ip", "netns", "list").splitlines() if line.strip()}


class Daemons:
    """Processes this test started (servers, forwarders), each in its own process group."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.directory = tempfile.mkdtemp(prefix="drill-")

    def start(self, *command: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=self.directory
        )
        self.procs.append(proc)
        return proc

    def redis(self, addresses: list[str]) -> int:
        port = free_port(addresses[0])
        self.start(
            shutil.which("redis-server") or "redis-server",
            *("--bind", *addresses),
            *("--port", str(port), "--protected-mode", "no", "--save", "", "--appendonly", "no"),
            *("--dir", self.directory),
        )
        return port

    def forward_postgres(self, addresses: list[str], settings_dict: dict) -> int:
        """Forward TCP connections on each address to the test database's server (its Unix
        socket, or its TCP address when the tests run against an external server)."""
        host, port = settings_dict.get("HOST") or "", str(settings_dict.get("PORT") or 5432)
        options = settings_dict.get("OPTIONS") or {}
        host = host or options.get("host", "")
        target = f"UNIX-CONNECT:{host}/.s.PGSQL.{port}" if host.startswith("/") else f"TCP:{host}:{port}"
        listen = free_port(addresses[0])
        for address in addresses:
            self.start("socat", f"TCP-LISTEN:{listen},bind={address},reuseaddr,fork", target)
        return listen

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=20)
        shutil.rmtree(self.directory, ignore_errors=True)


def reachable(address: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=1):
        return True
    return False


class HostWorker:
    """`celery worker` (one process, the tagging queue) inside a host's namespace."""

    def __init__(self, host: Host, node: str, env: dict[str, str]):
        self.host, self.node, self.env = host, node, env
        self.log = Path(tempfile.mkstemp(prefix=f"drill-{node.split('@')[0]}-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def start(self) -> "HostWorker":
        command = [CELERY, "-A", "newsroom", "worker", "-Q", "tagging", "-c", "1", "-P", "prefork"]
        command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "wb") as log:
            # `ip netns exec` execs the command in the namespace: the worker is the group leader.
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.host.namespace, *command, "-n", self.node],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def ready(self) -> bool:
        return f"{self.node} ready." in self.output(whole=True)

    def pause(self) -> None:
        """SIGSTOP to the worker and its pool process: frozen, whatever it holds stays held."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool process: a machine that vanishes."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.resume()
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self, *, whole: bool = False) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text if whole else text[-4000:]

    def remove_log(self) -> None:
        self.log.unlink(missing_ok=True)


def tcp_peers(host: Host) -> set[tuple[str, int]]:
    """(address, port) of the established TCP connections inside the host's namespace."""
    out = run("ip", "netns", "exec", host.namespace, "ss", "-Htn", "state", "established")
    peers = set()
    for line in out.splitlines():
        address, _, port = line.split()[-1].rpartition(":")
        peers.add((address, int(port)))
    return peers


def wait_until_reachable(address: str, port: int, what: str) -> None:
    wait_for(lambda: reachable(address, port), deadline=30, what=what)

"""A release relayd started by a benchmark script in a temp directory, on ports it picks, with
an admin token; `call` is the REST API with that token. Shared by Benchmarks/*.py."""
import json, os, re, socket, subprocess, sys, time
import urllib.request

TOKEN = "benchmark-admin-token-0123456789-abcdefghij"


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Relayd:
    def __init__(self, binary, root, database, config_text):
        self.data = os.path.join(root, "var")
        config = os.path.join(root, "relayd.yaml")
        with open(config, "w") as f:
            f.write(config_text)
        env = dict(os.environ, RELAYD_ADMIN_TOKEN=TOKEN)
        self.log = open(os.path.join(root, "relayd.log"), "w")
        self.proc = subprocess.Popen([binary, "--config", config, "--data-dir", self.data, "--host", "127.0.0.1",
                                      "--rtmp-port", "0", "--http-port", "0", "--srt-port", "0", "--webrtc-port", "0",
                                      "--database", database, "--log-level", "warning"], stdout=subprocess.PIPE,
                                     stderr=self.log, env=env, text=True)
        self.ports = {}
        deadline = time.time() + 60
        while not {"http", "rtmp"} <= self.ports.keys() and time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            for name, port in re.findall(r"listening (\w+)=[^ ]*:(\d+)", line):
                self.ports[name] = int(port)
        self.http = self.ports.get("http")
        if self.http is None:
            self.stop()
            sys.exit("relayd did not start; see " + self.log.name)

    def call(self, method, path, body=None, accept="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.http}/api/v1{path}", data=data, method=method,
                                         headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json",
                                                  "Accept": accept})
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()



"""The grading kernel: an IPython kernel started inside the sandbox (instructor/sandbox.py).

nbgrader executes each submission with a kernel from this manager. The kernel sees what any
sandboxed student code sees (Python, the `course` library, USPS; read-only) plus one private
folder, writable, that holds its connection file and its sockets: it talks to nbgrader over Unix
domain sockets (ZeroMQ's ipc transport), so it needs, and has, no network at all. It cannot see
the course directory, the instructor package, other kernels' connection files or anyone's work,
and its environment holds nothing but what the sandbox sets.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from instructor.sandbox import detect, environment, limit_resources


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs sandboxed, over ipc, interrupted by message."""

    extra_readable: list = []        # (outside, inside) pairs the kernel may also read
    environment_extra: dict = {}     # variables set on top of the sandbox's environment

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Unix sockets have a short path limit (~107 bytes): a short private folder in /tmp.
        self.private = Path(tempfile.mkdtemp(prefix="kern-"))
        self.private.chmod(0o700)
        self.transport = "ipc"
        self.ip = str(self.private / "k")
        self.connection_file = str(self.private / "kernel.json")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        env = environment(threads=1, **self.environment_extra)
        return detect().command(cmd, writable=[self.private], readable=self.extra_readable,
                                env=env, new_session=False)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["preexec_fn"] = lambda: limit_resources(new_session=False)
        kw.pop("env", None)  # the sandbox sets the whole environment itself
        # what the kernel process itself prints is not the notebook's output (that goes over
        # the sockets): none of it reaches the grader's log
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    async def interrupt_kernel(self):
        """By message, never by signal: a SIGINT to the process group would end bubblewrap
        (and with it the kernel) instead of the student's loop."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.private, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

"""Error reports that never carry a Krea token, in development as in production.

Django's SafeExceptionReporterFilter hides ``@sensitive_variables`` and
``@sensitive_post_parameters`` only when DEBUG is off, and it shows every local
variable of every other frame. A Krea token lives, as an ``Authorization``
header, in the locals of the HTTP stack's frames while a Krea call is on the
stack. This filter is therefore always active, and it hides all local variables
of frames inside the HTTP stack and the Krea client: those are where a token
can be, and a traceback through them still shows the code path.
"""

from django.views.debug import SafeExceptionReporterFilter

# Modules whose frames may hold the token (request headers, the client's own fields).
_TOKEN_BEARING_MODULES = ("httpx", "httpcore", "h11", "h2", "krea_integration.client")


class TokenSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True

    def get_traceback_frame_variables(self, request, tb_frame):
        module = tb_frame.f_globals.get("__name__", "")
        if any(module == m or module.startswith(m + ".") for m in _TOKEN_BEARING_MODULES):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

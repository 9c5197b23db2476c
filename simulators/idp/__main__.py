"""Run the identity-provider simulator on its own: ``python -m simulators.idp --port 9400 --redirect-uri …``.

It serves the demo accounts (simulators/idp/users.py) for one client; point the app's ``identity_provider``
at ``http://127.0.0.1:<port>/sim/idp`` with the same client id and secret.
"""

from __future__ import annotations

import argparse

from sanic import Sanic

from core.config import Settings
from core.demo_config import DEMO_IDP_CLIENT
from simulators.idp.api import PREFIX, blueprint
from simulators.idp.platform import Client, IdpPlatform
from simulators.idp.users import DEMO_USERS


def main() -> None:
    parser = argparse.ArgumentParser(description="单一窗口身份认证（OpenID Connect）模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--client-id", default=DEMO_IDP_CLIENT)
    parser.add_argument("--client-secret", default="qingling-demo-secret")
    defaults = Settings()  # the app's defaults: its own address and callback path
    parser.add_argument("--redirect-uri", default=defaults.server.public_url + defaults.identity_provider.redirect_path)
    args = parser.parse_args()
    issuer = f"http://{args.host}:{args.port}{PREFIX}"
    platform = IdpPlatform.with_users(issuer, [Client(args.client_id, args.client_secret, (args.redirect_uri,))],
                                      DEMO_USERS)
    app = Sanic("idp_simulator")
    app.blueprint(blueprint(platform))
    print(f"issuer: {issuer}")
    app.run(host=args.host, port=args.port, single_process=True, access_log=False)


if __name__ == "__main__":
    main()

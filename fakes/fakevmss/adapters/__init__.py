"""Ways to reach the fake: each adapter turns one library's requests into ``fake.handle`` calls.

- :mod:`fakevmss.adapters.aiovmss`: ``FakeTransport``, an in-process aiovmss transport.
- :mod:`fakevmss.adapters.respx`: a respx router for httpx code.
- :mod:`fakevmss.adapters.azure_core`: an azure-core transport for azure-mgmt-compute.
- :mod:`fakevmss.adapters.server`: an aiohttp application and the ``serve`` command.

Nothing is imported here: each adapter pulls in its own optional HTTP library only when used.
"""

__all__: list[str] = []

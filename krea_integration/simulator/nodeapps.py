"""Sample node apps the simulator serves (``GET /node-apps/{id}``, ``.../execute``).

Krea's node apps are workflows built in its node editor; through the API a version is
fetched for its input/output JSON schemas and executed with inputs matching the input
schema, which starts one job per output. Two samples stand in for them:

``upscale-and-caption``
    Enlarges ``image_url`` by ``scale``: one job whose result is the enlarged image.
``product-shot``
    Draws ``variations`` pictures of a product from ``prompt``: one job per picture.

Each is found only by its version id, as Krea's spec says of both operations: a slug
or an app id is 404, so a portal that sends one fails in tests as it would at Krea.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["NODE_APPS", "NodeAppSample", "find_node_app"]

_AUTHOR_ID = "0b7b8f4e-6a1f-4a57-8d0a-6f1c9f5b2a10"
_WORKSPACE_ID = "7d4a8c2e-1b3f-4e5a-9c6d-2f8e0a1b3c4d"
_CREATED = "2026-05-12T09:30:00.000Z"


@dataclass(frozen=True)
class NodeAppSample:
    """A node app version and how executing it makes jobs.

    ``mode`` is ``upscale`` (one job enlarging ``image_url`` by ``scale``) or
    ``render`` (``variations`` jobs, each one picture from ``prompt``).
    """

    version_id: str
    app_id: str
    slug: str
    name: str
    description: str
    version: int
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    input_key_mapping: dict[str, str]
    output_key_mapping: dict[str, str]
    mode: str

    def to_json(self, base_url: str) -> dict[str, Any]:
        """The node app as ``GET /node-apps/{id}`` answers."""
        return {
            "id": self.app_id,
            "author_id": _AUTHOR_ID,
            "workspace_id": _WORKSPACE_ID,
            "name": self.name,
            "slug": self.slug,
            "description": self.description,
            "scope": "public",
            "created_at": _CREATED,
            "updated_at": _CREATED,
            "last_version_id": self.version_id,
            "version": self.version,
            "version_created_at": _CREATED,
            "username": "krea-simulator",
            "example_outputs": [],
            "input_openapi_schema": self.input_schema,
            "output_openapi_schema": self.output_schema,
            "input_key_mapping": self.input_key_mapping,
            "output_key_mapping": self.output_key_mapping,
        }


NODE_APPS: tuple[NodeAppSample, ...] = (
    NodeAppSample(
        version_id="3f2c9d1e-8b7a-4c6d-9e5f-1a2b3c4d5e01",
        app_id="9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c01",
        slug="upscale-and-caption",
        name="Upscale and caption",
        description="Enlarges an image and writes a caption for it.",
        version=3,
        input_schema={
            "type": "object",
            "properties": {
                "image_url": {
                    "type": "string",
                    "format": "uri",
                    "description": "The image to enlarge (an asset's image_url works).",
                },
                "scale": {
                    "type": "number",
                    "minimum": 1,
                    "maximum": 4,
                    "default": 2,
                    "description": "How many times larger.",
                },
                "caption_style": {
                    "type": "string",
                    "enum": ["short", "detailed"],
                    "default": "short",
                },
            },
            "required": ["image_url"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "image": {"type": "string", "format": "uri"},
                "caption": {"type": "string"},
            },
            "required": ["image"],
        },
        input_key_mapping={
            "image_url": "node-image-input.url",
            "scale": "node-upscale.factor",
            "caption_style": "node-caption.style",
        },
        output_key_mapping={"node-upscale-image": "image", "node-caption-text": "caption"},
        mode="upscale",
    ),
    NodeAppSample(
        version_id="3f2c9d1e-8b7a-4c6d-9e5f-1a2b3c4d5e02",
        app_id="9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02",
        slug="product-shot",
        name="Product shot",
        description="Places a product in a styled scene, in several variations.",
        version=7,
        input_schema={
            "type": "object",
            "properties": {
                "prompt": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 1000,
                    "description": "The product and the scene.",
                },
                "product_image_url": {"type": "string", "format": "uri"},
                "background": {
                    "type": "string",
                    "enum": ["studio", "outdoor", "gradient"],
                    "default": "studio",
                },
                "aspect_ratio": {
                    "type": "string",
                    "enum": ["1:1", "4:5", "16:9"],
                    "default": "1:1",
                },
                "variations": {"type": "integer", "minimum": 1, "maximum": 4, "default": 2},
            },
            "required": ["prompt"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
            },
            "required": ["images"],
        },
        input_key_mapping={
            "prompt": "node-prompt.text",
            "product_image_url": "node-product.url",
            "background": "node-scene.background",
            "aspect_ratio": "node-scene.aspect_ratio",
            "variations": "node-render.count",
        },
        output_key_mapping={"node-render-images": "images"},
        mode="render",
    ),
)


def find_node_app(version_id: str) -> NodeAppSample | None:
    """The sample with this version id, if any."""
    return next((app for app in NODE_APPS if app.version_id == version_id), None)

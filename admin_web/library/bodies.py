"""The request bodies of the library pages."""

from __future__ import annotations

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import Text, Upload


class UploadBody(Body):
    kind: Text = ""
    file: Upload = None  # read from request.files


class RowsQuery(PageQuery):
    entry_number: Text = ""
    hs_code: Text = ""
    credit_code: Text = ""
    mark: Text = ""
    source: Text = ""
    date_from: Text = ""
    date_to: Text = ""

    def pairs(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump(exclude={"cursor"}).items() if v}

"""个人中心 edges: the desktop tabs (/workbench/personal), their H5 twins (/h5/personal) and the API."""

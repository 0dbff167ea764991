"""cepapp_xml: the test CEP/CES's XML reader and writer helpers.

Reading: a SOAP 1.2 request parsed with expat directly into a small tree.
No DTD is accepted (a DOCTYPE is refused before parsing, and again by the
parser's handler), so no entity is ever declared or expanded and nothing is
fetched; the document must be UTF-8 (no BOM of another encoding, no NUL),
at most MAX_BYTES long, MAX_DEPTH deep and MAX_NODES elements.

Writing: element text and attribute values are escaped with
xml.sax.saxutils; everything else is fixed text of this module's callers.
"""

import xml.parsers.expat
from xml.sax.saxutils import escape, quoteattr

MAX_BYTES = 256 * 1024  # a request: a PKCS#10/CMS of up to 64 KiB, base64
MAX_DEPTH = 32
MAX_NODES = 2000
MAX_TEXT = 192 * 1024

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XCEP = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"
NS_WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
NS_WSSE = ("http://docs.oasis-open.org/wss/2004/01/"
           "oasis-200401-wss-wssecurity-secext-1.0.xsd")
NS_ENROLL = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment"
NS_AUTH = "http://schemas.xmlsoap.org/ws/2006/12/authorization"


class BadRequest(Exception):
    """The request is not a SOAP 1.2 message this service can read."""


class Node:
    """One element: namespace, local name, attributes, children, text."""

    __slots__ = ("ns", "name", "attrs", "children", "parts")

    def __init__(self, ns, name, attrs):
        self.ns = ns
        self.name = name
        self.attrs = attrs
        self.children = []
        self.parts = []

    @property
    def text(self):
        return "".join(self.parts)

    def child(self, ns, name):
        """The only child ns:name, or None; two of them is an error."""
        found = [c for c in self.children if c.ns == ns and c.name == name]
        if len(found) > 1:
            raise BadRequest("element %s appears %d times" % (name, len(found)))
        return found[0] if found else None

    def all(self, ns, name):
        return [c for c in self.children if c.ns == ns and c.name == name]

    def is_nil(self):
        return self.attrs.get((NS_XSI, "nil"), "") in ("true", "1")

    def attr(self, name, ns=""):
        return self.attrs.get((ns, name))


def _split(qname):
    if " " in qname:
        ns, local = qname.split(" ", 1)
        return ns, local
    return "", qname


def parse(body):
    """bytes -> the root Node; BadRequest when refused."""
    if not isinstance(body, (bytes, bytearray)):
        raise BadRequest("the request body is not bytes")
    if len(body) == 0 or len(body) > MAX_BYTES:
        raise BadRequest("request of %d bytes (1 to %d)" % (len(body), MAX_BYTES))
    if b"\x00" in body or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise BadRequest("the request is not UTF-8")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise BadRequest("a DTD is not accepted")
    p = xml.parsers.expat.ParserCreate("UTF-8", " ")
    stack = []
    state = {"root": None, "nodes": 0, "text": 0}

    def start(qname, attrs):
        state["nodes"] += 1
        if state["nodes"] > MAX_NODES or len(stack) >= MAX_DEPTH:
            raise BadRequest("the request is too deep or has too many elements")
        ns, local = _split(qname)
        node = Node(ns, local, {_split(k): v for k, v in attrs.items()})
        if stack:
            stack[-1].children.append(node)
        elif state["root"] is None:
            state["root"] = node
        stack.append(node)

    def end(_qname):
        stack.pop()

    def chars(data):
        state["text"] += len(data)
        if state["text"] > MAX_TEXT:
            raise BadRequest("the request has too much text")
        if stack:
            stack[-1].parts.append(data)

    def refuse(*_args):
        raise BadRequest("a DTD is not accepted")

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    try:
        p.Parse(bytes(body), True)
    except xml.parsers.expat.ExpatError as e:
        raise BadRequest("not well-formed XML: %s" % e) from None
    if state["root"] is None:
        raise BadRequest("no root element")
    return state["root"]


def envelope(root):
    """(header Node or None, the Body's only element) of a SOAP 1.2 envelope."""
    if root.ns != NS_SOAP or root.name != "Envelope":
        raise BadRequest("not a SOAP 1.2 envelope")
    body = root.child(NS_SOAP, "Body")
    if body is None or len(body.children) != 1:
        raise BadRequest("the SOAP Body must hold exactly one element")
    return root.child(NS_SOAP, "Header"), body.children[0]


def header_text(header, name):
    """The text of wsa:<name> in the SOAP header, stripped, or None."""
    if header is None:
        return None
    n = header.child(NS_WSA, name)
    return n.text.strip() if n is not None else None


def el(name, text=None, attrs=None, nil=False, raw=None):
    """<name attrs>escaped text or raw markup</name>; nil -> xsi:nil."""
    a = "".join(" %s=%s" % (k, quoteattr(str(v))) for k, v in (attrs or {}).items())
    if nil:
        return '<%s%s xsi:nil="true"/>' % (name, a)
    if raw is not None:
        return "<%s%s>%s</%s>" % (name, a, raw, name)
    if text is None:
        return "<%s%s/>" % (name, a)
    return "<%s%s>%s</%s>" % (name, a, escape(str(text)), name)


def soap(action, relates_to, body_xml):
    """A SOAP 1.2 envelope with WS-Addressing Action and RelatesTo ([MS-XCEP] 2.1)."""
    rel = el("a:RelatesTo", relates_to) if relates_to else ""
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:s="%s" xmlns:a="%s">'
            '<s:Header><a:Action s:mustUnderstand="1">%s</a:Action>%s</s:Header>'
            '<s:Body xmlns:xsi="%s" xmlns:xsd="http://www.w3.org/2001/XMLSchema">%s</s:Body>'
            '</s:Envelope>' % (NS_SOAP, NS_WSA, escape(action), rel, NS_XSI, body_xml)
            ).encode("utf-8")


FAULT_ACTION = ("http://schemas.microsoft.com/net/2005/12/"
                "windowscommunicationfoundation/dispatcher/fault")


def fault(relates_to, code, reason, subcode=None, detail_xml=""):
    """A SOAP 1.2 fault (SOAP 1.2 Part 1 5.4): code s:Sender or s:Receiver."""
    sub = ""
    if subcode is not None:
        sub = ('<s:Subcode><s:Value xmlns:a="http://schemas.microsoft.com/net/2005/12/'
               'windowscommunicationfoundation/dispatcher">%s</s:Value></s:Subcode>'
               % escape(subcode))
    detail = "<s:Detail>%s</s:Detail>" % detail_xml if detail_xml else ""
    body = ('<s:Fault><s:Code><s:Value>%s</s:Value>%s</s:Code>'
            '<s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason>%s</s:Fault>'
            % (escape(code), sub, escape(reason), detail))
    return soap(FAULT_ACTION, relates_to, body)

"""cepapp_wstep: the test CES's RequestSecurityToken ([MS-WSTEP] 3.1.4.1).

read_request() takes the wst:RequestSecurityToken element (3.1.4.1.3.3):
an Issue with a PKCS#10 or PKCS#7 BinarySecurityToken and the
AdditionalContext's CertificateTemplate, or a QueryTokenStatus with a
RequestID (3.1.4.2.1). answer() turns what `ca-local submit/retrieve`
printed into the RequestSecurityTokenResponseCollection (3.1.4.1.2.6; the
issued certificate as RequestedSecurityToken/BinarySecurityToken #X509v3,
the chain as a #PKCS7 BinarySecurityToken, DispositionMessage, RequestID;
pending: no token) or, for a refusal, a SOAP fault whose Detail is a
CertificateEnrollmentWSDetail (3.1.4.1.3.7) with the CA's HRESULT, as AD CS's
CES answers (its example: 4.1.1.2, 4.1.4.2).
"""

import base64
import binascii

from cepapp_xml import (NS_AUTH, NS_ENROLL, NS_WSSE, NS_WST, BadRequest, el, fault,
                        soap)

ACTION = NS_ENROLL + "/RST/wstep"
ACTION_RESPONSE = NS_ENROLL + "/RSTRC/wstep"
REQTYPE_ISSUE = NS_WST + "/Issue"
REQTYPE_QUERY = NS_ENROLL + "/QueryTokenStatus"
TOKEN_X509 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
VALUE_PKCS7 = NS_WSSE + "#PKCS7"
VALUE_PKCS10 = NS_ENROLL + "#PKCS10"
VALUE_PKCS7_ENROLL = NS_ENROLL + "#PKCS7"
ENC_BASE64 = NS_WSSE + "#base64binary"

MAX_TOKEN = 64 * 1024  # DER request bytes (the CA's own cap, CA_CSR_MAX)
MAX_TEMPLATE = 256

CR_DISP_DENIED, CR_DISP_ISSUED, CR_DISP_PENDING = 2, 3, 5
CERTSRV_E_ADMIN_DENIED_REQUEST = 0x80094014


def _template(rst):
    """The AdditionalContext's CertificateTemplate value, or None."""
    ctx = rst.child(NS_AUTH, "AdditionalContext")
    if ctx is None:
        return None
    names = []
    for item in ctx.all(NS_AUTH, "ContextItem"):
        if item.attr("Name") != "CertificateTemplate":
            continue
        v = item.child(NS_AUTH, "Value")
        names.append(v.text.strip() if v is not None else "")
    if len(names) > 1:
        raise BadRequest("more than one CertificateTemplate ContextItem")
    if not names:
        return None
    t = names[0]
    if t == "" or len(t) > MAX_TEMPLATE or any(ord(c) < 0x20 or c in ",:" for c in t):
        raise BadRequest("CertificateTemplate ContextItem is empty or not a template name")
    return t


def _token(rst):
    bst = rst.child(NS_WSSE, "BinarySecurityToken")
    if bst is None:
        raise BadRequest("Issue without a BinarySecurityToken")  # 3.1.4.2.1.1
    vt = bst.attr("ValueType")
    if vt not in (VALUE_PKCS10, VALUE_PKCS7, VALUE_PKCS7_ENROLL):
        raise BadRequest("BinarySecurityToken ValueType %r is not PKCS#10 or PKCS#7" % vt)
    enc = bst.attr("EncodingType")
    if enc is not None and enc != ENC_BASE64:
        raise BadRequest("BinarySecurityToken EncodingType is not base64binary")
    text = "".join(bst.text.split())
    if len(text) > MAX_TOKEN * 4 // 3 + 4:
        raise BadRequest("BinarySecurityToken over %d bytes" % MAX_TOKEN)
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("BinarySecurityToken is not base64") from None
    if not der:
        raise BadRequest("empty BinarySecurityToken")
    return der


def read_request(rst):
    """RequestSecurityToken -> {"type": "issue", "der", "template"} or
    {"type": "query", "request_id"}."""
    if rst.ns != NS_WST or rst.name != "RequestSecurityToken":
        raise BadRequest("the Body is not a wst:RequestSecurityToken")
    rt = rst.child(NS_WST, "RequestType")
    rtype = rt.text.strip() if rt is not None and not rt.is_nil() else ""
    if rtype == REQTYPE_ISSUE:
        return {"type": "issue", "der": _token(rst), "template": _template(rst)}
    if rtype == REQTYPE_QUERY:
        rid = rst.child(NS_ENROLL, "RequestID")
        s = rid.text.strip() if rid is not None and not rid.is_nil() else ""
        if not s.isdigit() or len(s) > 10 or not 0 < int(s) <= 0xFFFFFFFF:
            raise BadRequest("QueryTokenStatus without a usable RequestID")  # 3.1.4.2.1.2
        return {"type": "query", "request_id": int(s)}
    raise BadRequest("RequestType %r is neither Issue nor QueryTokenStatus" % rtype)


def _signed(hr):
    hr &= 0xFFFFFFFF
    return hr - (1 << 32) if hr & 0x80000000 else hr


def _rstr(ans):
    bst_attrs = {"ValueType": VALUE_PKCS7, "EncodingType": ENC_BASE64, "xmlns": NS_WSSE}
    parts = [el("TokenType", TOKEN_X509),
             el("DispositionMessage", ans.get("message") or "",
                {"xml:lang": "en-US", "xmlns": NS_ENROLL})]
    if ans["disposition"] == CR_DISP_ISSUED:
        parts.append(el("BinarySecurityToken", ans["pkcs7"], bst_attrs))
        parts.append(el("RequestedSecurityToken", raw=el("BinarySecurityToken", ans["certificate"], {
            "ValueType": TOKEN_X509, "EncodingType": ENC_BASE64, "xmlns": NS_WSSE})))
    else:
        parts.append(el("RequestedSecurityToken"))
    parts.append(el("RequestID", ans["request_id"], {"xmlns": NS_ENROLL}))
    return ('<RequestSecurityTokenResponseCollection xmlns="%s">%s'
            '</RequestSecurityTokenResponseCollection>'
            % (NS_WST, el("RequestSecurityTokenResponse", raw="".join(parts))))


def denial(relates_to, hresult, message, request_id):
    """The CA refused: SOAP fault with CertificateEnrollmentWSDetail (ErrorCode xs:int)."""
    detail = el("CertificateEnrollmentWSDetail", raw=(
        '<BinaryResponse i:nil="true"/>' + el("ErrorCode", _signed(hresult)) +
        el("InvalidRequest", "true") +
        (el("RequestID", request_id) if request_id else '<RequestID i:nil="true"/>')),
        attrs={"xmlns": NS_ENROLL, "xmlns:i": "http://www.w3.org/2001/XMLSchema-instance"})
    reason = message or "Denied"
    if "0x%08x" % (hresult & 0xFFFFFFFF) not in reason.lower():
        reason = "%s 0x%08x (%d)" % (reason, hresult & 0xFFFFFFFF, _signed(hresult))
    return fault(relates_to, "s:Receiver", reason, "a:InternalServiceFault", detail)


def answer(relates_to, ans):
    """(http status, body) for ca-local's JSON answer."""
    disp = ans["disposition"]
    if disp == CR_DISP_ISSUED and ans.get("certificate") and ans.get("pkcs7"):
        return 200, soap(ACTION_RESPONSE, relates_to, _rstr(ans))
    if disp == CR_DISP_PENDING and ans.get("request_id"):
        return 200, soap(ACTION_RESPONSE, relates_to, _rstr(ans))
    hr = ans.get("hresult") or 0
    if disp == CR_DISP_DENIED or hr == 0:
        hr = CERTSRV_E_ADMIN_DENIED_REQUEST
    return 500, denial(relates_to, hr, ans.get("message"), ans.get("request_id"))

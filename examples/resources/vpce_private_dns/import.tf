import {
  to = vpce_private_dns.api
  id = "vpce-0123456789abcdef0"
}

import {
  to = vpce_gateway.s3
  id = "vpce-0123456789abcdef0"
}

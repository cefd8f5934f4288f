import {
  to = vpce_policy.s3
  id = "vpce-0123456789abcdef0"
}

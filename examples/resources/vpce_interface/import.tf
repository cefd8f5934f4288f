import {
  to = vpce_interface.ssm
  id = "vpce-0123456789abcdef0"
}

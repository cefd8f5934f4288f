import {
  to = vpce_connection_accepter.partner
  id = "vpce-svc-0123456789abcdef0_vpce-0fedcba9876543210"
}

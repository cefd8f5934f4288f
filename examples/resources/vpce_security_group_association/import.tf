import {
  to = vpce_security_group_association.https
  id = "vpce-0123456789abcdef0/sg-0123456789abcdef0"
}

import {
  to = vpce_subnet_association.private
  id = "vpce-0123456789abcdef0/subnet-0123456789abcdef0"
}
